using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>`linewatch check`'s single attempt against a real Mosquitto: each way it can go is told apart, in words.</summary>
public sealed class BrokerProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public void Connects_to_a_broker(string protocol)
    {
        using var broker = new MosquittoBroker();
        var result = BrokerProbe.Probe(new MqttOptions { Mode = MqttMode.External, Port = broker.Port, ProtocolVersion = protocol }, "probe", Timeout);
        Assert.True(result.Connected, result.Detail);
        Assert.Contains($"127.0.0.1:{broker.Port}", result.Detail);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public void Tells_an_unreachable_broker_apart_from_a_refusal(string protocol)
    {
        var port = MosquittoBroker.FreePort();
        var unreachable = BrokerProbe.Probe(new MqttOptions { Port = port, ProtocolVersion = protocol }, "probe", Timeout);
        Assert.False(unreachable.Connected);
        Assert.Equal($"cannot connect to 127.0.0.1:{port}: nothing accepts connections on 127.0.0.1:{port}", unreachable.Detail);

        using var broker = new MosquittoBroker("plant", "correct-horse");
        var refused = BrokerProbe.Probe(new MqttOptions { Port = broker.Port, Username = "plant", Password = "wrong-horse", ProtocolVersion = protocol }, "probe", Timeout);
        Assert.False(refused.Connected);
        Assert.StartsWith($"127.0.0.1:{broker.Port} refused the connection: Not authorized", refused.Detail);
        Assert.DoesNotContain("horse", refused.Detail);

        var accepted = BrokerProbe.Probe(new MqttOptions { Port = broker.Port, Username = "plant", Password = "correct-horse", ProtocolVersion = protocol }, "probe", Timeout);
        Assert.True(accepted.Connected, accepted.Detail);
    }

    [Fact]
    public void Names_a_ca_file_that_holds_no_certificate()
    {
        using var dir = new TempDirectory();
        var caFile = dir.File("ca.crt");
        File.WriteAllText(caFile, "not a certificate\n");
        using var broker = new MosquittoBroker();
        var result = BrokerProbe.Probe(new MqttOptions { Port = broker.Port, Tls = new MqttTlsOptions { Enabled = true, CaFile = caFile } }, "probe", Timeout);
        Assert.False(result.Connected);
        Assert.Contains($"Mqtt:Tls:CaFile {caFile} cannot be used", result.Detail);
    }

    [Fact]
    public void Names_a_host_name_that_does_not_resolve()
    {
        var result = BrokerProbe.Probe(new MqttOptions { Host = "broker.linewatch.invalid" }, "probe", Timeout);
        Assert.False(result.Connected);
        Assert.Contains("the host name 'broker.linewatch.invalid' does not resolve", result.Detail);
    }
}
