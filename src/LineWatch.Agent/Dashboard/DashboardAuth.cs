using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LineWatch.Configuration;
using Microsoft.AspNetCore.Http;

namespace LineWatch.Agent.Dashboard;

/// <summary>What <see cref="DashboardAuth.Check"/> decided: let the request in, ask for credentials, or (too many wrong passwords from its address) say when to try again.</summary>
internal readonly record struct Access(bool Granted, TimeSpan? RetryAfter)
{
    public static readonly Access Allow = new(true, null);
    public static readonly Access Deny = new(false, null);

    public static Access Throttle(TimeSpan retryAfter) => new(false, retryAfter);
}

/// <summary>
/// Who may use the dashboard: everyone (loopback only, enforced at start-up), holders of the token (an
/// <c>Authorization: Bearer</c> header for machines, or the HttpOnly cookie the login page sets for browsers),
/// or a user and password (HTTP Basic; the browser asks). Only <c>/healthz</c> and the login page are open.
/// A verified Basic header is remembered (by its SHA-256) for a few minutes, because PBKDF2 is deliberately slow
/// and a dashboard refreshes pictures several times a second; for the same reason wrong passwords are limited per
/// client address (<see cref="SignInThrottle"/>), so guessing cannot take the CPU from inference.
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
    private readonly SignInThrottle _throttle = new(maxAttempts: 5, window: TimeSpan.FromMinutes(1), maxAddresses: 4096, time);

    public DashboardAuthMode Mode => options.Mode;

    public static bool IsOpen(PathString path) => path == "/healthz" || path == "/login" || path == "/assets/app.css" || path == "/assets/favicon.svg";

    public Access Check(HttpContext context)
    {
        if (options.Mode == DashboardAuthMode.None || IsOpen(context.Request.Path)) return Access.Allow;
        var header = context.Request.Headers.Authorization.ToString();
        return options.Mode switch
        {
            DashboardAuthMode.Token => HasValidToken(context, header) ? Access.Allow : Access.Deny,
            DashboardAuthMode.Basic => header.StartsWith("Basic ", StringComparison.Ordinal) ? CheckBasic(header["Basic ".Length..].Trim(), context.Connection.RemoteIpAddress) : Access.Deny,
            _ => Access.Deny,
        };
    }

    private bool HasValidToken(HttpContext context, string header) =>
        header.StartsWith("Bearer ", StringComparison.Ordinal) ? ValidToken(header["Bearer ".Length..].Trim())
            : context.Request.Cookies.TryGetValue(TokenCookie, out var cookie) && ValidToken(cookie);

    public bool ValidToken(string token) => token.Length is > 0 and <= 512 && PasswordHash.VerifyToken(token, options.TokenSha256);

    private Access CheckBasic(string encoded, IPAddress? client)
    {
        if (encoded.Length > 1024) return Access.Deny;
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(encoded)));
        if (_verified.TryGetValue(key, out var until) && until > time.GetUtcNow()) return Access.Allow;
        if (!_throttle.TryStart(client, out var retryAfter)) return Access.Throttle(retryAfter);
        if (!ValidBasic(encoded)) return Access.Deny;
        _throttle.Succeeded(client);
        if (_verified.Count > 64) _verified.Clear();
        _verified[key] = time.GetUtcNow() + Remember;
        return Access.Allow;
    }

    private bool ValidBasic(string encoded)
    {
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
        return verifyPassword(decoded[(colon + 1)..], options.PasswordHash) && userMatches;
    }

    /// <summary>
    /// The answer to a request <see cref="Check"/> refused: 429 with Retry-After when its address is waiting out
    /// its wrong passwords; otherwise a Basic challenge, or (token mode, a browser) the login page.
    /// </summary>
    public async Task Refuse(HttpContext context, Access access, string loginPage)
    {
        if (access.RetryAfter is { } wait)
        {
            var seconds = (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds));
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"Too many wrong passwords from this address: try again in {seconds} s.");
            return;
        }
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
