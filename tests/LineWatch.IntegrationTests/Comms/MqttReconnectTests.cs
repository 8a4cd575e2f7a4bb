using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// The connection's reconnect loop against a real Mosquitto: whatever made an attempt fail (a lost connection, a
/// broker not there yet, a refused CONNACK, a failed TLS handshake, an unresolvable host name) it says why, keeps trying, and once the
/// cause is fixed comes back by itself and delivers what the outbox kept meanwhile (seen by mosquitto_sub).
/// </summary>
public sealed class MqttReconnectTests : IDisposable
{
    private const string Events = "lw/it-agent/press/events";
    private readonly TempDirectory _dir = new();

    private AgentOptions Options(int port, Action<MqttOptions>? configure = null)
    {
        var options = new AgentOptions { AgentId = "it-agent", DataDir = _dir.Path };
        options.Mqtt.Mode = MqttMode.External;
        options.Mqtt.Port = port;
        options.Mqtt.TopicPrefix = "lw";
        configure?.Invoke(options.Mqtt);
        return options;
    }

    private static AlertNotice Notice(string id) =>
        new(new AlertEvent(id, "press", AlertPhase.Start, 12.5, 10, 1.7, 2.3, AlertSeverity.Critical), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            2, [0.1f, 0.2f, 1.5f, 0.3f], [0xFF, 0xD8, 0xFF, 0xD9]);

    private static IEnumerable<string> ReceivedIds(SubscriptionRecorder events) =>
        events.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetString()!);

    private static void WaitFor(Func<bool> condition, string what, int seconds = 30) =>
        Eventually.True(condition, TimeSpan.FromSeconds(seconds), what);

    /// <summary>An alert raised while the connection is down waits in the outbox and arrives once it is back.</summary>
    private static void AlertArrivesAfterTheFix(AlertPath publisher, SubscriptionRecorder events, string id, Action fix)
    {
        publisher.OnAlert(Notice(id));
        Assert.Equal(2, publisher.Pending); // the event and its snapshot
        fix();
        WaitFor(() => ReceivedIds(events).Contains(id), $"alert {id} after the fix", seconds: 60);
        WaitFor(() => publisher.Pending == 0, "the outbox to empty");
        Assert.True(publisher.IsConnected);
    }

    [Fact]
    public void A_lost_connection_comes_back_when_the_broker_does()
    {
        using var broker = new MosquittoBroker(persistence: true);
        using var events = new SubscriptionRecorder(broker, Events, persistentId: "it-reconnect-lost");
        var log = new LogRecorder<MqttPublisher>();
        using var publisher = new AlertPath(Options(broker.Port), "m", log);
        publisher.Start();
        WaitFor(() => publisher.IsConnected, "the first connection");

        broker.Stop(); // SIGTERM: Mosquitto saves the witness's persistent session
        WaitFor(() => !publisher.IsConnected, "the loss to be seen");
        AlertArrivesAfterTheFix(publisher, events, "lost-1", () =>
        {
            WaitFor(() => log.Count("refused") + log.Count("failed") + log.Count("lost") >= 3, "attempts while the broker is away: " + log.Text);
            broker.Start();
        });
    }

    [Fact]
    public void A_broker_that_is_down_when_the_agent_starts_is_connected_once_it_comes()
    {
        using var broker = new MosquittoBroker(persistence: true);
        using var events = new SubscriptionRecorder(broker, Events, persistentId: "it-reconnect-late");
        broker.Stop(); // SIGTERM: the witness's persistent session is saved; nothing listens on the port now
        var log = new LogRecorder<MqttPublisher>();
        using var publisher = new AlertPath(Options(broker.Port), "m", log);
        publisher.Start();

        AlertArrivesAfterTheFix(publisher, events, "late-1", () =>
        {
            WaitFor(() => log.Count($"nothing accepts connections on 127.0.0.1:{broker.Port}") >= 3, "three refused attempts, named: " + log.Text);
            broker.Start();
        });
        Assert.Equal(1, log.Count("MQTT connected"));
    }

    [Theory]
    [InlineData("3.1.1")]
    [InlineData("5")]
    public void A_refused_connection_is_retried_until_the_broker_accepts_the_credentials(string protocol)
    {
        using var broker = new MosquittoBroker("plant", "old-password");
        using var events = new SubscriptionRecorder(broker, Events);
        var log = new LogRecorder<MqttPublisher>();
        using var publisher = new AlertPath(Options(broker.Port, m => { m.ProtocolVersion = protocol; m.Username = "plant"; m.Password = "new-password"; }), "m", log);
        publisher.Start();

        WaitFor(() => log.Count("refused the connection") >= 2, "the refusal, twice: " + log.Text);
        Assert.Contains("Not authorized", log.Text);
        AlertArrivesAfterTheFix(publisher, events, "refused-1", () => broker.SetPassword("plant", "new-password"));
        Assert.DoesNotContain("new-password", log.Text);
    }

    [Fact]
    public void A_failed_tls_handshake_is_retried_until_the_broker_certificate_verifies()
    {
        using var certificates = new TestCertificates();
        using var otherCa = new TestCertificates();
        var caFile = _dir.File("ca.crt");
        File.Copy(otherCa.CaFile, caFile); // the wrong CA: the broker's certificate does not verify against it
        using var broker = new MosquittoBroker(tls: certificates);
        using var events = new SubscriptionRecorder(broker, Events);
        var log = new LogRecorder<MqttPublisher>();
        using var publisher = new AlertPath(Options(broker.Port, m => m.Tls = new MqttTlsOptions { Enabled = true, CaFile = caFile }), "m", log);
        publisher.Start();

        WaitFor(() => log.Count("certificate") >= 2, "the failed handshake, twice: " + log.Text);
        AlertArrivesAfterTheFix(publisher, events, "tls-1", () => File.Copy(certificates.CaFile, caFile, overwrite: true));
    }

    [Fact]
    public void An_unresolvable_host_name_is_named_and_retried_with_growing_delays()
    {
        using var connection = new MqttConnection(new MqttOptions { Mode = MqttMode.External, Host = "broker.linewatch.invalid", Port = 1883 }, "it-agent", "it/agent/status", NullLogger.Instance);
        var reports = new ConcurrentQueue<(long Time, string Reason)>();
        void Report(string reason) => reports.Enqueue((Stopwatch.GetTimestamp(), reason));
        connection.Failed += Report;
        connection.Disconnected += Report;
        connection.Refused += Report;
        connection.Start();

        WaitFor(() => reports.Count >= 4, "four failed attempts", seconds: 40);
        var attempts = reports.ToArray();
        Assert.All(attempts, a => Assert.Contains("the host name 'broker.linewatch.invalid' does not resolve", a.Reason));
        // Waits of 1, 2 and 4 s, each shortened by at most a quarter; a busy machine only makes them longer.
        for (var i = 1; i < 4; i++)
        {
            var waited = Stopwatch.GetElapsedTime(attempts[i - 1].Time, attempts[i].Time).TotalSeconds;
            Assert.True(waited >= 0.75 * Math.Pow(2, i - 1), $"attempt {i + 1} came {waited:0.00} s after attempt {i}");
        }
        Assert.False(connection.IsConnected);
    }

    public void Dispose() => _dir.Dispose();
}
