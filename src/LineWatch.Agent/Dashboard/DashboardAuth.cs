using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LineWatch.Configuration;
using Microsoft.AspNetCore.Http;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// Who may use the dashboard: everyone (loopback only, enforced at start-up), holders of the token (an
/// <c>Authorization: Bearer</c> header for machines, or the HttpOnly cookie the login page sets for browsers),
/// or a user and password (HTTP Basic; the browser asks). Only <c>/healthz</c> and the login page are open.
/// A verified Basic header is remembered (by its SHA-256) for a few minutes, because PBKDF2 is deliberately slow
/// and a dashboard refreshes pictures several times a second.
/// </summary>
/// <param name="verifyPassword">
/// Checks a password against the stored hash: <see cref="PasswordHash.Verify"/>; passed in so that tests can count
/// these slow checks.
/// </param>
internal sealed class DashboardAuth(DashboardAuthOptions options, Func<string, string, bool> verifyPassword, TimeProvider time)
{
    public const string TokenCookie = "linewatch_token";
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new();

    public DashboardAuthMode Mode => options.Mode;

    public static bool IsOpen(PathString path) => path == "/healthz" || path == "/login" || path == "/assets/app.css" || path == "/assets/favicon.svg";

    public bool IsAuthorised(HttpContext context)
    {
        if (options.Mode == DashboardAuthMode.None || IsOpen(context.Request.Path)) return true;
        var header = context.Request.Headers.Authorization.ToString();
        return options.Mode switch
        {
            DashboardAuthMode.Token => header.StartsWith("Bearer ", StringComparison.Ordinal) ? ValidToken(header["Bearer ".Length..].Trim())
                : context.Request.Cookies.TryGetValue(TokenCookie, out var cookie) && ValidToken(cookie),
            DashboardAuthMode.Basic => header.StartsWith("Basic ", StringComparison.Ordinal) && ValidBasic(header["Basic ".Length..].Trim()),
            _ => false,
        };
    }

    public bool ValidToken(string token) => token.Length is > 0 and <= 512 && PasswordHash.VerifyToken(token, options.TokenSha256);

    private bool ValidBasic(string encoded)
    {
        if (encoded.Length > 1024) return false;
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(encoded)));
        if (_verified.TryGetValue(key, out var until) && until > time.GetUtcNow()) return true;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return false;
        var userMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded[..colon]), Encoding.UTF8.GetBytes(options.Username));
        if (!(verifyPassword(decoded[(colon + 1)..], options.PasswordHash) && userMatches)) return false;
        if (_verified.Count > 64) _verified.Clear();
        _verified[key] = time.GetUtcNow() + Remember;
        return true;
    }

    /// <summary>The answer to a request without valid credentials: a Basic challenge, or (token mode, a browser) the login page.</summary>
    public async Task Challenge(HttpContext context, string loginPage)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        if (options.Mode == DashboardAuthMode.Basic)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"LineWatch\", charset=\"UTF-8\"";
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"LineWatch\"";
        if (context.Request.Method == HttpMethods.Get && context.Request.Headers.Accept.ToString().Contains("text/html"))
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(loginPage);
        }
    }
}
