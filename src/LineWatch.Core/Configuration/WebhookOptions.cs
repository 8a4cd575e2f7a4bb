namespace LineWatch.Configuration;

/// <summary>One URL that receives every alert event (start, update, end) as an HTTP POST of the event's JSON.</summary>
public sealed class WebhookOptions
{
    /// <summary>Names the webhook on the dashboard, in logs and in its outbox queue; letters, digits, '-' and '_'.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// http:// or https://. A user and password in it (https://user:password@host/...) are sent as basic authentication;
    /// they and any query values (tokens) are secrets: shown and logged only as ***.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>When set, each POST carries an HMAC-SHA256 signature made with it (docs/operations.md). A secret: never logged.</summary>
    public string Secret { get; set; } = "";

    /// <summary>How long one POST may take before it counts as failed and is tried again.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>The longest wait between attempts while the URL keeps failing (waits double from 1 s up to this).</summary>
    public double MaxBackoffSeconds { get; set; } = 60;
}
