using System.Diagnostics;
using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.IntegrationTests.Support;
using Xunit.Abstractions;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// Store and forward: the agent's embedded Mosquitto bridges its topics to a central Mosquitto (both real, on
/// loopback); alerts keep coming while the central broker is down for a minute, and all of them arrive there.
/// </summary>
public sealed class UplinkBridgeTests(ITestOutputHelper report) : IDisposable
{
    private const string CentralUser = "box-1-bridge";
    private const string CentralPassword = "uplink-s3cret-\u00e9";
    private static readonly string[] Cameras = ["press", "saw", "wrap"];
    private readonly TempDirectory _dir = new();

    private AgentOptions Options(int centralPort)
    {
        var options = new AgentOptions { AgentId = "box-1", DataDir = _dir.Path };
        options.Mqtt.Mode = MqttMode.Embedded;
        options.Mqtt.Port = MosquittoBroker.FreePort();
        options.Mqtt.TopicPrefix = "it";
        options.Mqtt.Uplink = new MqttUplinkOptions
        {
            Enabled = true, Host = "127.0.0.1", Port = centralPort, Username = CentralUser, Password = CentralPassword, KeepAliveSeconds = 5,
        };
        return options;
    }

    private static AlertNotice Notice(string id, string camera, AlertPhase phase) =>
        new(new AlertEvent(id, camera, phase, 12.5, 10, 1.7, 2.3, AlertSeverity.Warning), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(-1),
            2, [0.1f, 0.2f, 1.5f, 0.3f], phase == AlertPhase.End ? null : [0xFF, 0xD8, 0xFF, 0xD9]);

    [Fact]
    public void Alerts_raised_while_the_central_broker_is_down_for_60_s_all_arrive_there_in_order_per_camera()
    {
        // Persistence on the central broker, as any production broker has it: its sessions (the bridge's and the
        // witness's) and what is queued for them outlive its restart.
        using var central = new MosquittoBroker(CentralUser, CentralPassword, persistence: true);
        using var received = new SubscriptionRecorder(central, "it/+/+/events", persistentId: "central-witness");
        var options = Options(central.Port);
        var brokerLog = new LogRecorder<EmbeddedBroker>();
        using var embedded = new EmbeddedBroker(options.Mqtt, options.AgentId, options.DataDir, brokerLog);
        embedded.Start();
        using var agent = new AlertPath(options, "videomambapro tiny");
        agent.Start();
        Eventually.True(() => agent.IsConnected, TimeSpan.FromSeconds(10), "the agent's connection to its embedded broker");
        Eventually.True(() => central.ReadOne("it/box-1/uplink", 1) == "1", TimeSpan.FromSeconds(15), "the bridge to say it is connected");
        Eventually.True(() => central.ReadOne("it/box-1/status", 1) == "online", TimeSpan.FromSeconds(10), "the retained status to reach the central broker");

        var sent = new List<(string Camera, string Id, string Type)>();
        var next = 0;
        void Raise(TimeSpan during)
        {
            var until = Stopwatch.GetTimestamp() + (long)(during.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                // Each camera in turn: a start, then (on its next turn) that alert's end.
                var camera = Cameras[next % Cameras.Length];
                var open = sent.LastOrDefault(s => s.Camera == camera);
                var (id, phase) = open.Type == "start" ? (open.Id, AlertPhase.End) : (Guid.CreateVersion7().ToString("N"), AlertPhase.Start);
                agent.OnAlert(Notice(id, camera, phase));
                sent.Add((camera, id, phase.ToString().ToLowerInvariant()));
                next++;
                Thread.Sleep(250);
            }
        }

        Raise(TimeSpan.FromSeconds(10));
        var beforeOutage = sent.Count;
        central.Stop();
        Raise(TimeSpan.FromSeconds(60));
        // Everything raised during the outage left the agent's own outbox: the embedded broker holds it for the bridge.
        Eventually.True(() => agent.Pending == 0, TimeSpan.FromSeconds(10), "the agent's outbox to be empty while the uplink is down");
        var duringOutage = sent.Count - beforeOutage;
        central.Start();
        Raise(TimeSpan.FromSeconds(10));

        IEnumerable<(string Camera, string Id, string Type)> Arrived() => received.Messages.ToArray()
            .Select(m => JsonDocument.Parse(m.Payload).RootElement)
            .Select(e => (e.GetProperty("camera").GetString()!, e.GetProperty("id").GetString()!, e.GetProperty("type").GetString()!));
        Eventually.True(() => Arrived().Distinct().Count() >= sent.Count, TimeSpan.FromSeconds(90), $"all {sent.Count} events at the central broker");

        var arrived = Arrived().ToList();
        // The bridge delivers at least once: a message whose acknowledgement was lost with the connection comes again.
        // (id, type) names an event that has no updates, so the first arrival of each is the one a consumer keeps.
        var firstArrivals = arrived.Distinct().ToList();
        report.WriteLine($"{sent.Count} events raised ({duringOutage} while the central broker was down), {arrived.Count} arrived, {arrived.Count - firstArrivals.Count} of them again");
        Assert.Equal(sent.ToHashSet(), firstArrivals.ToHashSet());
        foreach (var camera in Cameras)
        {
            Assert.Equal(sent.Where(s => s.Camera == camera), firstArrivals.Where(a => a.Camera == camera));
        }
        Assert.True(duringOutage >= 100, $"only {duringOutage} events were raised during the outage (4/s were meant; is the machine that busy?)");

        // The uplink's password: in the broker's configuration, readable by this user alone, and nowhere in the log.
        var config = Path.Combine(options.DataDir, "mosquitto", "mosquitto.conf");
        Assert.Equal((0, "600"), ShellCommand.Run("/usr/bin/stat", "-c", "%a", config) is var (code, mode) ? (code, mode.Trim()) : default);
        Assert.Contains($"remote_password {CentralPassword}", File.ReadAllText(config));
        Assert.Contains("linewatch-uplink", brokerLog.Text); // the log did record the bridge (Mosquitto's own lines included)
        Assert.DoesNotContain(CentralPassword, brokerLog.Text);
    }

    [Fact]
    public void A_central_broker_that_refuses_the_uplink_is_reported_with_its_reason()
    {
        using var central = new MosquittoBroker(CentralUser, "another-password");
        var options = Options(central.Port);
        var log = new LogRecorder<EmbeddedBroker>();
        using var embedded = new EmbeddedBroker(options.Mqtt, options.AgentId, options.DataDir, log);
        embedded.Start();

        Eventually.True(() => log.Count($"Warning: Uplink to 127.0.0.1:{central.Port} failed: Connection Refused: not authori") > 0, TimeSpan.FromSeconds(15),
            "the refusal in the agent's log");
        Thread.Sleep(TimeSpan.FromSeconds(5)); // Mosquitto tries again within seconds: the same reason is not told again
        Assert.Equal(1, log.Count("Warning: Uplink"));
        Assert.DoesNotContain(CentralPassword, log.Text);
    }

    [Fact]
    public void A_box_whose_embedded_broker_dies_is_marked_down_on_the_central_broker_by_the_bridge_will()
    {
        using var central = new MosquittoBroker(CentralUser, CentralPassword);
        var options = Options(central.Port);
        using var embedded = new EmbeddedBroker(options.Mqtt, options.AgentId, options.DataDir, new LogRecorder<EmbeddedBroker>());
        embedded.Start();
        Eventually.True(() => central.ReadOne("it/box-1/uplink", 1) == "1", TimeSpan.FromSeconds(15), "the bridge to say it is connected");

        // The box's network (or power) going away: nothing on it can say offline, so the central broker says it for it once
        // the bridge's keepalive (5 s here) has passed without a word. Frozen, so the supervisor does not restart it.
        var pid = embedded.ProcessId!.Value;
        ShellCommand.Run("/bin/kill", "-STOP", pid.ToString());
        try
        {
            Eventually.True(() => central.ReadOne("it/box-1/uplink", 1) == "0", TimeSpan.FromSeconds(20), "the bridge's last will on the central broker");
        }
        finally
        {
            ShellCommand.Run("/bin/kill", "-CONT", pid.ToString());
        }
    }

    public void Dispose() => _dir.Dispose();
}
