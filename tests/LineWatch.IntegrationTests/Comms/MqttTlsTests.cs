using System.Collections.Concurrent;
using System.Text;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// TLS to a real Mosquitto with a test CA made by openssl: the right CA connects, another CA is refused and says why,
/// hostname verification can be switched off, and a broker that requires a client certificate accepts ours.
/// </summary>
public sealed class MqttTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly TestCertificates _otherCa = new();

    private static MqttOptions Options(int port, string caFile, string host = "127.0.0.1") => new()
    {
        Mode = MqttMode.External, Host = host, Port = port, Tls = new MqttTlsOptions { Enabled = true, CaFile = caFile },
    };

    private static MqttConnection Connection(MqttOptions options) => new(options, "tls-agent", "it/tls/status", NullLogger.Instance);

    [Fact]
    public void A_broker_certificate_signed_by_the_configured_ca_connects_with_hostname_verification_on()
    {
        using var broker = new MosquittoBroker(tls: _certificates);
        using var connection = Connection(Options(broker.Port, _certificates.CaFile));
        var acked = new ConcurrentBag<long>();
        connection.Acknowledged += acked.Add;
        connection.Start();
        Eventually.True(() => connection.IsConnected, TimeSpan.FromSeconds(10), "the TLS connection");

        var id = connection.Publish("it/tls/event", Encoding.UTF8.GetBytes("over tls"), retain: true);
        Assert.NotNull(id);
        Eventually.True(() => acked.Contains(id.Value), TimeSpan.FromSeconds(10), "the PUBACK over TLS");
        Assert.Equal("over tls", broker.ReadOne("it/tls/event"));
        Assert.True(BrokerProbe.Probe(Options(broker.Port, _certificates.CaFile), "probe", TimeSpan.FromSeconds(5)).Connected);
    }

    [Fact]
    public void A_broker_certificate_from_another_ca_is_refused_with_a_clear_error()
    {
        using var broker = new MosquittoBroker(tls: _certificates);
        var result = BrokerProbe.Probe(Options(broker.Port, _otherCa.CaFile), "probe", TimeSpan.FromSeconds(5));
        Assert.False(result.Connected);
        Assert.Contains($"does not verify against the CA in {_otherCa.CaFile}", result.Detail);

        using var connection = Connection(Options(broker.Port, _otherCa.CaFile));
        var reasons = new ConcurrentQueue<string>();
        connection.Disconnected += reasons.Enqueue;
        connection.Failed += reasons.Enqueue;
        connection.Start();
        Eventually.True(() => !reasons.IsEmpty, TimeSpan.FromSeconds(10), "the refused handshake to be reported");
        Assert.False(connection.IsConnected);
        Assert.Contains("the broker's certificate (CN=127.0.0.1, issued by CN=LineWatch-test-CA) is not trusted: it does not verify against the CA in", string.Join(" | ", reasons));
    }

    [Fact]
    public void Hostname_verification_refuses_a_certificate_for_another_name_unless_it_is_switched_off()
    {
        using var broker = new MosquittoBroker(tls: _certificates);
        var options = Options(broker.Port, _certificates.CaFile, host: "localhost"); // the certificate names 127.0.0.1 only

        var verified = BrokerProbe.Probe(options, "probe", TimeSpan.FromSeconds(5));
        Assert.False(verified.Connected);
        Assert.Contains("it is not issued for 'localhost'", verified.Detail);

        options.Tls.VerifyHostname = false;
        var unverified = BrokerProbe.Probe(options, "probe", TimeSpan.FromSeconds(5));
        Assert.True(unverified.Connected, unverified.Detail);
    }

    [Fact]
    public void A_broker_that_requires_a_client_certificate_accepts_the_configured_one()
    {
        using var broker = new MosquittoBroker(tls: _certificates, requireClientCertificate: true);
        var options = Options(broker.Port, _certificates.CaFile);
        Assert.False(BrokerProbe.Probe(options, "probe", TimeSpan.FromSeconds(5)).Connected);

        options.Tls.CertFile = _certificates.ClientCertFile;
        options.Tls.KeyFile = _certificates.ClientKeyFile;
        var probe = BrokerProbe.Probe(options, "probe", TimeSpan.FromSeconds(5));
        Assert.True(probe.Connected, probe.Detail);
        using var connection = Connection(options);
        connection.Start();
        Eventually.True(() => connection.IsConnected, TimeSpan.FromSeconds(10), "the connection with a client certificate");
        Assert.Equal("online", broker.ReadOne("it/tls/status"));
    }

    public void Dispose()
    {
        _certificates.Dispose();
        _otherCa.Dispose();
    }
}
