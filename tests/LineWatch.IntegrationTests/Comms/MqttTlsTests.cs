using System.Collections.Concurrent;
using System.Text;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>TLS to a real Mosquitto with a test CA made by openssl: the right CA connects, another CA is refused and says why.</summary>
public sealed class MqttTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly TestCertificates _otherCa = new();

    private static MqttOptions Options(int port, string caFile) => new()
    {
        Mode = MqttMode.External, Host = "127.0.0.1", Port = port, Tls = new MqttTlsOptions { Enabled = true, CaFile = caFile },
    };

    [Fact]
    public void A_broker_certificate_signed_by_the_configured_ca_connects_with_hostname_verification_on()
    {
        using var broker = new MosquittoBroker(tls: _certificates);
        using var connection = new MqttConnection(Options(broker.Port, _certificates.CaFile), "tls-agent", "it/tls/status");
        var acked = new ConcurrentBag<int>();
        connection.Acknowledged += acked.Add;
        connection.Start();
        Eventually.True(() => connection.IsConnected, TimeSpan.FromSeconds(10), "the TLS connection");

        var mid = connection.Publish("it/tls/event", Encoding.UTF8.GetBytes("over tls"), qos: 1, retain: true);
        Assert.NotNull(mid);
        Eventually.True(() => acked.Contains(mid.Value), TimeSpan.FromSeconds(10), "the PUBACK over TLS");
        Assert.True(BrokerProbe.Probe(Options(broker.Port, _certificates.CaFile), "probe", TimeSpan.FromSeconds(5)).Connected);
    }

    [Fact]
    public void A_broker_certificate_from_another_ca_is_refused_with_a_clear_error()
    {
        using var broker = new MosquittoBroker(tls: _certificates);
        var result = BrokerProbe.Probe(Options(broker.Port, _otherCa.CaFile), "probe", TimeSpan.FromSeconds(5));
        Assert.False(result.Connected);
        Assert.Contains("certificate verify failed", result.Detail);

        using var connection = new MqttConnection(Options(broker.Port, _otherCa.CaFile), "tls-agent", "it/tls/status");
        var reasons = new ConcurrentQueue<string>();
        connection.Disconnected += reasons.Enqueue;
        connection.Failed += reasons.Enqueue;
        connection.Start();
        Eventually.True(() => !reasons.IsEmpty, TimeSpan.FromSeconds(10), "the refused handshake to be reported");
        Assert.False(connection.IsConnected);
        Assert.Contains("certificate verify failed", string.Join(" | ", reasons));
    }

    public void Dispose()
    {
        _certificates.Dispose();
        _otherCa.Dispose();
    }
}
