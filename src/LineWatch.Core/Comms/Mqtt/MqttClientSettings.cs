using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LineWatch.Configuration;
using MQTTnet;
using MQTTnet.Formatter;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// The one place that turns <see cref="MqttOptions"/> into MQTTnet's client options — protocol version, keepalive,
/// credentials, TLS — for <see cref="BrokerProbe"/> and <see cref="MqttConnection"/> alike. Built again for every
/// connection attempt, so a CA bundle or client certificate replaced on disk is used from the next attempt on.
/// </summary>
internal static class MqttClientSettings
{
    /// <summary>How long a connection attempt (TCP, TLS handshake, CONNACK) may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <exception cref="InvalidDataException">a TLS file cannot be read or holds no usable certificate; the message names the setting and the file.</exception>
    public static MqttClientOptionsBuilder Create(MqttOptions options, string clientId, BrokerCertificateCheck certificates)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(options.ProtocolVersion == "5" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveSeconds))
            .WithCleanSession(true)
            .WithTimeout(ConnectTimeout);
        if (options.Username.Length > 0) builder.WithCredentials(options.Username, options.Password);
        if (options.Tls.Enabled)
        {
            var tls = options.Tls;
            var trusted = Read("Mqtt:Tls:CaFile", tls.CaFile, () =>
            {
                var ca = new X509Certificate2Collection();
                ca.ImportFromPemFile(tls.CaFile);
                return ca.Count > 0 ? ca : throw new CryptographicException("it holds no PEM certificate");
            });
            builder.WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost(options.Host).WithTrustChain(trusted);
                o.WithCertificateValidationHandler(certificates.Validate);
                if (tls.CertFile.Length > 0)
                {
                    o.WithClientCertificates([Read("Mqtt:Tls:CertFile", tls.CertFile, () => X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile))]);
                }
            });
        }
        return builder;
    }

    private static T Read<T>(string setting, string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidDataException($"{setting} {path} cannot be used: {e.Message}", e);
        }
    }
}
