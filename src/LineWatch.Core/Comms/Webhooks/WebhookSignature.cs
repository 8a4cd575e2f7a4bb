using System.Security.Cryptography;
using System.Text;

namespace LineWatch.Comms.Webhooks;

/// <summary>
/// The optional signature of a webhook POST: <c>X-LineWatch-Signature: sha256=HEX</c>, the HMAC-SHA256 with the webhook's
/// secret over <c>TIMESTAMP.BODY</c>, where TIMESTAMP is the <c>X-LineWatch-Timestamp</c> header (Unix seconds of this
/// attempt). Signing the time too lets a receiver refuse an old request replayed by someone who recorded it.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-LineWatch-Signature";
    public const string TimestampHeader = "X-LineWatch-Timestamp";

    /// <summary>The header's value, <c>sha256=</c> and 64 lower-case hex digits.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
