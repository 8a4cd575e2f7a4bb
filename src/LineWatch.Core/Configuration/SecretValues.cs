using LineWatch.Comms.Webhooks;

namespace LineWatch.Configuration;

/// <summary>The configured values that must never appear in a log line or an error message.</summary>
public static class SecretValues
{
    // Anything shorter would scrub ordinary words out of log lines.
    private const int MinimumLength = 4;

    public static IReadOnlyList<string> From(AgentOptions options)
    {
        var secrets = new List<string>
        {
            options.Mqtt.Password, options.Mqtt.Uplink.Password, options.Fleet.Password, options.Dashboard.Auth.TokenSha256, options.Dashboard.Auth.PasswordHash,
        };
        foreach (var camera in options.Cameras)
        {
            // rtsp://user:password@host/...: the password part of the URL's user info
            if (Uri.TryCreate(camera.Source, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':'))
            {
                secrets.Add(Uri.UnescapeDataString(uri.UserInfo.Split(':', 2)[1]));
                secrets.Add(uri.UserInfo.Split(':', 2)[1]);
            }
        }
        foreach (var webhook in options.Webhooks)
        {
            secrets.Add(webhook.Secret);
            secrets.AddRange(WebhookUrl.SecretsIn(webhook.Url));
        }
        return secrets.Where(s => s.Length >= MinimumLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
    }

    public static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        return text;
    }
}
