using System.Net.Http.Headers;
using System.Text;

namespace LineWatch.Comms.Webhooks;

/// <summary>
/// A webhook's URL split into what is sent and what may be shown. The user part (<c>https://user:password@host/</c>) becomes
/// a basic-authentication header instead of staying in the URL; it and every query value (where services put their
/// tokens) are secrets, so <see cref="Display"/> — the form for logs, the dashboard and errors — has them as <c>***</c>.
/// </summary>
public sealed class WebhookUrl
{
    private WebhookUrl(Uri target, AuthenticationHeaderValue? authorization, string display)
    {
        Target = target;
        Authorization = authorization;
        Display = display;
    }

    /// <summary>Where the POST goes: the URL without its user part.</summary>
    public Uri Target { get; }

    /// <summary>Basic authentication from the URL's user part, or null.</summary>
    public AuthenticationHeaderValue? Authorization { get; }

    /// <summary>The URL with its user part and query values replaced by ***: safe to log and show.</summary>
    public string Display { get; }

    /// <returns>The URL, or null with <paramref name="error"/> saying what is wrong without repeating a secret.</returns>
    public static WebhookUrl? Parse(string text, out string error)
    {
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is required (an http:// or https:// URL)";
            return null;
        }
        // The text itself is not echoed: a malformed URL may still hold a password.
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            error = "is not an absolute URL (expected http://host/path or https://host/path)";
            return null;
        }
        var display = Redact(uri);
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{display}' is not an http:// or https:// URL";
            return null;
        }
        if (uri.Fragment.Length > 0)
        {
            error = $"'{display}' has a fragment (#...), which is never sent to the server";
            return null;
        }
        AuthenticationHeaderValue? authorization = null;
        if (uri.UserInfo.Length > 0)
        {
            var credentials = Uri.UnescapeDataString(uri.UserInfo);
            authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        var target = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        return new WebhookUrl(target, authorization, display);
    }

    /// <summary>The secrets a URL holds as text (its password, its query values), escaped and unescaped, for the log scrubber.</summary>
    public static IEnumerable<string> SecretsIn(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)) yield break;
        var parts = new List<string>();
        if (uri.UserInfo.Length > 0) parts.Add(uri.UserInfo.Split(':', 2) is [_, var password] ? password : uri.UserInfo);
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            parts.Add(pair.Split('=', 2) is [_, var value] ? value : pair);
        }
        foreach (var part in parts)
        {
            yield return part;
            yield return Uri.UnescapeDataString(part);
        }
    }

    private static string Redact(Uri uri)
    {
        var text = new StringBuilder().Append(uri.Scheme).Append("://");
        if (uri.UserInfo.Length > 0) text.Append("***@");
        text.Append(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}").Append(uri.AbsolutePath);
        var query = uri.Query.TrimStart('?');
        if (query.Length > 0)
        {
            text.Append('?').AppendJoin('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2) is [var key, _] ? $"{key}=***" : "***"));
        }
        return text.ToString();
    }
}
