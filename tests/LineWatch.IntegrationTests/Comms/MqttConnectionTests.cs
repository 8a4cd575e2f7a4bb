using System.Collections.Concurrent;
using System.Text;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>The long-lived MQTTnet connection against a real Mosquitto, checked with mosquitto_sub.</summary>
public sealed class MqttConnectionTests
{
    private const string Status = "it/agent/status";

    private static void WaitFor(Func<bool> condition, string what, int seconds = 10) =>
        Eventually.True(condition, TimeSpan.FromSeconds(seconds), what);

    [Fact]
    public void Availability_is_online_while_connected_and_offline_after_a_clean_stop()
    {
        using var broker = new MosquittoBroker();
        using var connection = new MqttConnection(new MqttOptions { Port = broker.Port }, "it-agent", Status, NullLogger.Instance);
        connection.Start();
        WaitFor(() => connection.IsConnected, "the connection");

        Assert.Equal("online", broker.ReadOne(Status));
        connection.Stop();
        Assert.Equal("offline", broker.ReadOne(Status));
    }

    [Fact]
    public void Qos1_messages_are_acknowledged_by_id_and_delivered()
    {
        using var broker = new MosquittoBroker();
        using var connection = new MqttConnection(new MqttOptions { Port = broker.Port, ProtocolVersion = "3.1.1" }, "it-agent", Status, NullLogger.Instance);
        var acked = new ConcurrentBag<long>();
        connection.Acknowledged += acked.Add;
        connection.Start();
        WaitFor(() => connection.IsConnected, "the connection");

        var id = connection.Publish("it/agent/event", Encoding.UTF8.GetBytes("{\"id\":\"e1\"}"), retain: true);

        Assert.NotNull(id);
        WaitFor(() => acked.Contains(id.Value), "the broker's PUBACK");
        Assert.Equal("{\"id\":\"e1\"}", broker.ReadOne("it/agent/event"));
    }

    [Fact]
    public void Publishing_to_a_hung_broker_does_not_block_the_caller_and_everything_is_acknowledged_once_it_answers()
    {
        using var broker = new MosquittoBroker();
        using var connection = new MqttConnection(new MqttOptions { Port = broker.Port, KeepAliveSeconds = 3600 }, "it-agent", Status, NullLogger.Instance);
        var acked = new ConcurrentDictionary<long, bool>();
        connection.Acknowledged += id => acked[id] = true;
        connection.Start();
        WaitFor(() => connection.IsConnected, "the connection");

        broker.Freeze();
        // 64 MB: far more than the socket buffers hold, so a publish that wrote to the socket itself would hang here.
        var payload = new byte[1 << 20];
        List<long?> ids = [];
        var publisher = new Thread(() => ids = [.. Enumerable.Range(0, 64).Select(_ => connection.Publish("it/agent/bulk", payload, retain: false))]);
        publisher.Start();
        var returned = publisher.Join(TimeSpan.FromSeconds(30));
        broker.Thaw();

        Assert.True(returned, "Publish blocked while the broker was not reading");
        Assert.All(ids, id => Assert.NotNull(id));
        WaitFor(() => ids.All(id => acked.ContainsKey(id!.Value)), "all 64 PUBACKs once the broker answers", seconds: 60);
    }

    [Fact]
    public void It_reconnects_by_itself_after_the_broker_restarts_and_says_online_again()
    {
        using var broker = new MosquittoBroker();
        using var connection = new MqttConnection(new MqttOptions { Port = broker.Port }, "it-agent", Status, NullLogger.Instance);
        var connects = 0;
        var losses = new ConcurrentBag<string>();
        connection.Connected += () => Interlocked.Increment(ref connects);
        connection.Disconnected += losses.Add;
        connection.Start();
        WaitFor(() => connects == 1, "the first connection");

        broker.Kill();
        WaitFor(() => !connection.IsConnected, "the loss to be seen");
        Assert.Null(connection.Publish("it/agent/event", new byte[] { 1 }, retain: false)); // nothing is sent into the void
        broker.Start();

        WaitFor(() => connects == 2, "the reconnect", seconds: 40);
        Assert.NotEmpty(losses);
        Assert.Equal("online", broker.ReadOne(Status));
    }

    [Fact]
    public void Wrong_credentials_are_reported_as_a_refusal_not_a_crash()
    {
        using var broker = new MosquittoBroker("plant", "right-one");
        using var connection = new MqttConnection(new MqttOptions { Port = broker.Port, Username = "plant", Password = "wrong-one", ProtocolVersion = "3.1.1" }, "it-agent", Status, NullLogger.Instance);
        var refusals = new ConcurrentBag<string>();
        connection.Refused += refusals.Add;
        connection.Start();

        WaitFor(() => !refusals.IsEmpty, "the refusal");
        Assert.False(connection.IsConnected);
        Assert.DoesNotContain("wrong-one", string.Join(" ", refusals));
    }
}
