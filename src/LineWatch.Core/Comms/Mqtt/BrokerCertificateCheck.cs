using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using LineWatch.Configuration;
using MQTTnet;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Decides whether the broker's TLS certificate is trusted — it must chain to the configured CA file and, unless
/// <c>Mqtt:Tls:VerifyHostname</c> is off, name the configured host — and remembers why it was not, because the
/// handshake itself fails with no more than "rejected by the validation callback".
/// </summary>
internal sealed class BrokerCertificateCheck(MqttOptions options)
{
    private string? _rejection;

    /// <summary>Why the last certificate was refused, once; null when none was.</summary>
    public string? TakeRejection() => Interlocked.Exchange(ref _rejection, null);

    public bool Validate(MqttClientCertificateValidationEventArgs e)
    {
        var errors = e.SslPolicyErrors;
        if (!options.Tls.VerifyHostname) errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        if (errors == SslPolicyErrors.None) return true;
        Volatile.Write(ref _rejection, Describe(errors, e.Certificate, e.Chain));
        return false;
    }

    private string Describe(SslPolicyErrors errors, X509Certificate? certificate, X509Chain? chain)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return "the broker sent no TLS certificate";
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var status = chain?.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct() ?? [];
            reasons.Add($"it does not verify against the CA in {options.Tls.CaFile} ({string.Join("; ", status)})");
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add($"it is not issued for '{options.Host}' (set Mqtt:Tls:VerifyHostname to false only for a test broker)");
        }
        return $"the broker's certificate ({certificate.Subject}, issued by {certificate.Issuer}) is not trusted: {string.Join(", and ", reasons)}";
    }
}
