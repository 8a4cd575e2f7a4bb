using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>libmosquitto through our P/Invoke layer, against a real Mosquitto broker on loopback.</summary>
public sealed class MosquittoClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void Reports_the_library_version()
    {
        var version = MosquittoLibrary.Version;
        Assert.Equal(2, version.Major);
        Assert.Equal(0, version.Minor);
    }

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

    [Fact]
    public void Tells_an_unreachable_broker_apart_from_a_refusal()
    {
        var unreachable = BrokerProbe.Probe(new MqttOptions { Port = MosquittoBroker.FreePort() }, "probe", Timeout);
        Assert.False(unreachable.Connected);
        Assert.Contains("cannot reach", unreachable.Detail);

        using var broker = new MosquittoBroker("plant", "correct-horse");
        var refused = BrokerProbe.Probe(new MqttOptions { Port = broker.Port, Username = "plant", Password = "wrong-horse", ProtocolVersion = "3.1.1" }, "probe", Timeout);
        Assert.False(refused.Connected);
        Assert.Contains("refused", refused.Detail);
        Assert.DoesNotContain("wrong-horse", refused.Detail);

        var accepted = BrokerProbe.Probe(new MqttOptions { Port = broker.Port, Username = "plant", Password = "correct-horse" }, "probe", Timeout);
        Assert.True(accepted.Connected, accepted.Detail);
    }
}
