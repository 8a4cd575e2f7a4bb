using System.Text.Json;
using LineWatch.Comms.Webhooks;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.IntegrationTests.Support;
using LineWatch.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using static LineWatch.IntegrationTests.Support.WebhookReceiver;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// Webhook delivery against a real HTTP server on loopback, composed as the agent composes it (database, history, the
/// journal, the webhooks' outbox): the receiver fails with 500s, then hangs past the timeout, then is down (connection
/// refused) while the agent restarts, then recovers — and every event arrives, in order, signed, at least once.
/// </summary>
public sealed class WebhookDeliveryTests : IDisposable
{
    private const string Secret = "it-webhook-secret-0123456789";
    private readonly TempDirectory _dir = new();

    private sealed class Agent : IDisposable
    {
        public Agent(AgentOptions options, TimeProvider? time = null)
        {
            Database = AgentDatabase.Open(options.DataDir, NullLogger.Instance);
            History = new AlertHistory(Database);
            Webhooks = new WebhookDispatcher(options, "m", Database, NullLogger<WebhookDispatcher>.Instance, time);
            Journal = new AlertJournal(Database, History, [Webhooks], NullLogger<AlertJournal>.Instance);
            Webhooks.Start();
        }

        public AgentDatabase Database { get; }
        public AlertHistory History { get; }
        public WebhookDispatcher Webhooks { get; }
        public AlertJournal Journal { get; }
        public WebhookHealth Health => Webhooks.Health.Single();

        public void Dispose()
        {
            Webhooks.Dispose();
            Database.Dispose();
        }
    }

    private AgentOptions Options(string url)
    {
        var options = new AgentOptions { AgentId = "it-agent", DataDir = _dir.Path };
        options.Mqtt.TopicPrefix = "lw";
        options.Webhooks.Add(new WebhookOptions { Name = "mes", Url = url, Secret = Secret, TimeoutSeconds = 1, MaxBackoffSeconds = 1 });
        return options;
    }

    private static AlertNotice Notice(string id, AlertPhase phase, double score) =>
        new(new AlertEvent(id, "press", phase, 12.5, 10, score, 2.3, AlertSeverity.Critical), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(-2),
            2, [0.1f, 0.2f, 1.5f, 0.3f], phase == AlertPhase.End ? null : [0xFF, 0xD8, 0xFF, 0xD9]);

    [Fact]
    public void A_receiver_that_fails_times_out_and_refuses_while_the_agent_restarts_gets_every_event_in_order_signed_once_it_recovers()
    {
        using var receiver = new WebhookReceiver(Behaviour.Fail);
        var options = Options(receiver.Url);
        var sent = new List<(string Id, string Type)>();
        using (var agent = new Agent(options))
        {
            foreach (var (phase, score) in new[] { (AlertPhase.Start, 1.7), (AlertPhase.Update, 2.3), (AlertPhase.End, 0.4) })
            {
                agent.Journal.OnAlert(Notice("a1", phase, score));
                sent.Add(("a1", phase.ToString().ToLowerInvariant()));
            }

            // 500s: retried with backoff, and the health says so.
            // The receiver counts a request before the agent has read its answer: wait for the agent's side too.
            Eventually.True(() => receiver.Requests.Count(r => r.Answer == Behaviour.Fail) >= 3 && agent.Health.ConsecutiveFailures >= 3,
                TimeSpan.FromSeconds(15), "three attempts answered 500 and counted as failures");
            Assert.Equal("HTTP 500 Internal Server Error", agent.Health.LastError);
            Assert.Equal(3, agent.Health.Pending);
            Assert.Null(agent.Health.LastSuccess);
            Assert.All(receiver.Requests, r => Assert.Equal(receiver.Requests.First().Delivery, r.Delivery)); // the first event, again and again

            // No answer: each attempt ends at the timeout.
            receiver.Set(Behaviour.Hang);
            Eventually.True(() => agent.Health.LastError == "no answer within 1 s", TimeSpan.FromSeconds(15), "a timed-out attempt");

            // Down: the connection is refused.
            receiver.Set(Behaviour.Down);
            Eventually.True(() => agent.Health.LastError?.Contains("refused", StringComparison.OrdinalIgnoreCase) == true, TimeSpan.FromSeconds(15),
                $"a refused connection (last error: {agent.Health.LastError})");
        }

        // The agent restarts while the receiver is still down; the queue is on disk and the new run adds to it.
        using (var agent = new Agent(options))
        {
            Assert.Equal(3, agent.Health.Pending);
            agent.Journal.OnAlert(Notice("a2", AlertPhase.Start, 1.9));
            sent.Add(("a2", "start"));
            Eventually.True(() => agent.Health.ConsecutiveFailures >= 2, TimeSpan.FromSeconds(15), "the new run's failed attempts");

            receiver.Set(Behaviour.Accept);
            Eventually.True(() => agent.Health.Pending == 0, TimeSpan.FromSeconds(20), "the backlog delivered");
            var health = agent.Health;
            Assert.Equal((0, 4L), (health.ConsecutiveFailures, health.Delivered));
            Assert.NotNull(health.LastSuccess);
        }

        var accepted = receiver.Accepted.ToList();
        var received = accepted.Select(r => JsonDocument.Parse(r.Body).RootElement).Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("type").GetString()!)).ToList();
        Assert.Equal(sent, received.Distinct()); // every event, in the order raised
        Assert.All(accepted, r => Assert.True(SignatureVerifies(r, Secret), $"bad signature on {r.Text}"));
        Assert.All(receiver.Requests, r => Assert.False(SignatureVerifies(r, "another-secret-0123456789"), "a signature any secret verifies"));
        // One delivery id per event, the same on every attempt and across the restart.
        Assert.Equal(4, accepted.Select(r => r.Delivery).Distinct().Count());
        var firstDelivery = receiver.Requests.First().Delivery;
        Assert.Contains(accepted, r => r.Delivery == firstDelivery);
        Assert.Matches("^it-agent-[0-9]+$", firstDelivery);

        // The same JSON as on MQTT.
        var start = JsonDocument.Parse(accepted[0].Body).RootElement;
        Assert.Equal("it-agent", start.GetProperty("agent").GetString());
        Assert.Equal("press", start.GetProperty("camera").GetString());
        Assert.Equal("critical", start.GetProperty("severity").GetString());
        Assert.Equal("lw/it-agent/press/snapshot", start.GetProperty("snapshot_topic").GetString());
        Assert.Equal(1.7, start.GetProperty("score").GetDouble());
    }

    [Fact]
    public void Credentials_in_the_url_are_sent_as_basic_authentication_and_a_removed_webhooks_queue_is_forgotten()
    {
        using var receiver = new WebhookReceiver(Behaviour.Down);
        var url = receiver.Url.Replace("http://", "http://ops:pa55word-xyz@") + "?token=tok-123456";
        using (var agent = new Agent(Options(url)))
        {
            Assert.Equal($"http://***@127.0.0.1:{receiver.Port}/hook?token=***", agent.Health.Url);
            agent.Journal.OnAlert(Notice("b1", AlertPhase.Start, 1.5));
            agent.Journal.OnAlert(Notice("b2", AlertPhase.Start, 1.5));
            receiver.Set(Behaviour.Accept);
            Eventually.True(() => agent.Health.Pending == 0, TimeSpan.FromSeconds(15), "delivery");
            Assert.DoesNotContain("pa55word", agent.Health.LastError ?? "");
        }
        var request = receiver.Accepted.First();
        Assert.Equal("Basic " + Convert.ToBase64String("ops:pa55word-xyz"u8.ToArray()), request.Authorization);

        // Queued for "mes", which the next configuration no longer has: deleted at start, not kept forever.
        receiver.Set(Behaviour.Down);
        using (var agent = new Agent(Options(url)))
        {
            agent.Journal.OnAlert(Notice("b3", AlertPhase.Start, 1.5));
            Assert.Equal(1, agent.Health.Pending);
        }
        var renamed = Options(url);
        renamed.Webhooks[0].Name = "mes2";
        using (var agent = new Agent(renamed))
        {
            Assert.Equal(0, agent.Health.Pending);
        }
        Assert.Equal(0L, AgentDatabaseFile.Count(_dir.Path, "outbox"));
    }

    /// <summary>The system clock, except that the first reading after <see cref="Arm"/> throws: a fault no sender code expects.</summary>
    private sealed class FailingOnceClock : TimeProvider
    {
        private int _armed;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public override DateTimeOffset GetUtcNow() =>
            Interlocked.Exchange(ref _armed, 0) == 1 ? throw new InvalidOperationException("the clock failed once") : System.GetUtcNow();
    }

    [Fact]
    public void An_unexpected_exception_in_the_sender_is_shown_in_the_health_and_delivery_goes_on()
    {
        using var receiver = new WebhookReceiver(Behaviour.Accept);
        var clock = new FailingOnceClock();
        using var agent = new Agent(Options(receiver.Url), clock);

        clock.Arm(); // the next event's signature reads the clock
        agent.Journal.OnAlert(Notice("c1", AlertPhase.Start, 1.5));

        Eventually.True(() => receiver.Accepted.Any() && agent.Health.Pending == 0, TimeSpan.FromSeconds(15),
            () => $"the event delivered after the failure; health: {agent.Health}");
        Assert.Contains("the clock failed once", agent.Health.LastError);
        Assert.True(SignatureVerifies(receiver.Accepted.Single(), Secret));
    }

    public void Dispose() => _dir.Dispose();
}
