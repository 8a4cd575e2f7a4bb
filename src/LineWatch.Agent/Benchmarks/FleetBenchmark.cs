using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// One central Mosquitto on loopback and many simulated agents, each its own MQTT client as a bridge would be: every
/// 5 s a retained state per camera and a statistics report, alert events (start, then end 10 s later) at a given
/// rate per camera, an availability topic with a last will. One subscriber (as the fleet view or a SCADA gateway
/// would) takes everything and times each message from publish to arrival. The broker's CPU time and peak memory are
/// read from /proc. The agents and the subscriber run in this process, on the same cores as the broker.
/// </summary>
internal static class FleetBenchmark
{
    private const string Prefix = "fleetbench";
    private static readonly TimeSpan ReportPeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AlertLength = TimeSpan.FromSeconds(10);

    public sealed record Result(string Cpu, int Agents, int CamerasPerAgent, double AlertsPerCameraHour, double Seconds, long Sent, long Delivered, long Lost,
        double MessagesPerSecond, double EventsPerSecond, double LatencyP50Ms, double LatencyP99Ms, double EventLatencyP50Ms, double EventLatencyP99Ms,
        double BrokerCpuPercentOfOneCore, double BrokerPeakRssMb, double GeneratorCpuPercentOfOneCore);

    public static Result Run(int agents, int cameras, double alertsPerCameraHour, double seconds, string mosquitto, Action<string> progress)
    {
        using var scratch = new ScratchDirectory();
        var port = MqttBenchmark.FreePort();
        var config = Path.Combine(scratch.Path, "central.conf");
        // As a central broker would be set up: queues large enough for a fleet's bridges, replies not held back by Nagle.
        File.WriteAllLines(config, [$"listener {port} 127.0.0.1", "allow_anonymous true", "max_queued_messages 100000", "set_tcp_nodelay true",
            $"user {Environment.UserName}"]);
        using var broker = Process.Start(new ProcessStartInfo(mosquitto, $"-c {config}") { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"could not start {mosquitto}");
        broker.ErrorDataReceived += (_, _) => { };
        broker.BeginErrorReadLine();
        try
        {
            // MQTT 3.1.1 (as Mosquitto's bridges speak it): a message delivered live has its retained flag clear, so the view
            // tells this run's messages from those replayed on subscribe.
            var options = new MqttOptions { Mode = MqttMode.External, Host = "127.0.0.1", Port = port, ProtocolVersion = "3.1.1", KeepAliveSeconds = 30 };
            var sentAt = new ConcurrentDictionary<long, (long Ticks, bool Event)>();
            var latencies = new ConcurrentBag<(double Ms, bool Event)>();
            long delivered = 0;
            using var view = new MqttConnection(options, "fleetbench-view", null, NullLogger.Instance);
            foreach (var topic in new[] { $"{Prefix}/+/+/events", $"{Prefix}/+/+/state", $"{Prefix}/+/stats" }) view.Subscribe(topic);
            view.MessageReceived += (_, payload, retained) =>
            {
                var now = Stopwatch.GetTimestamp();
                if (retained) return; // replayed on subscribe, not a delivery of this run
                var sequence = new Utf8JsonReader(payload) is var reader && JsonDocument.TryParseValue(ref reader, out var json)
                    ? json.RootElement.GetProperty("seq").GetInt64() : -1;
                if (sentAt.TryRemove(sequence, out var sent))
                {
                    Interlocked.Increment(ref delivered);
                    latencies.Add((Stopwatch.GetElapsedTime(sent.Ticks, now).TotalMilliseconds, sent.Event));
                }
            };
            view.Start();

            progress($"connecting {agents} simulated agents to the broker on 127.0.0.1:{port}");
            var clients = Enumerable.Range(0, agents)
                .Select(i => new MqttConnection(options, $"fleetbench-{i:D4}", $"{Prefix}/agent-{i:D4}/status", NullLogger.Instance)).ToList();
            foreach (var client in clients) client.Start();
            MqttBenchmark.Wait(() => view.IsConnected && clients.All(c => c.IsConnected), TimeSpan.FromSeconds(60), "every simulated agent to connect");
            Thread.Sleep(1000); // the view's subscriptions are made on connect; let their SUBACK come back

            long sequenceNumber = 0, sentCount = 0, events = 0;
            var random = new Random(17);
            var alertsPerSecond = agents * cameras * alertsPerCameraHour / 3600;
            var pendingEnds = new List<(long DueTicks, int Agent, int Camera, string Id)>();
            void Publish(int agent, string topic, string body, bool retain, bool isEvent)
            {
                var sequence = Interlocked.Increment(ref sequenceNumber);
                sentAt[sequence] = (Stopwatch.GetTimestamp(), isEvent);
                if (clients[agent].Publish(topic, Encoding.UTF8.GetBytes($$"""{"seq":{{sequence}},{{body}}}"""), retain) is null) sentAt.TryRemove(sequence, out _);
                else sentCount++;
                if (isEvent) events++;
            }
            void Event(int agent, int camera, string id, string type) => Publish(agent, $"{Prefix}/agent-{agent:D4}/camera-{camera}/events",
                $$"""
                "id":"{{id}}","type":"{{type}}","agent":"agent-{{agent:D4}}","camera":"camera-{{camera}}","start_time":"{{DateTimeOffset.UtcNow:O}}","time":"{{DateTimeOffset.UtcNow:O}}","score":1.72,"peak":2.31,"threshold":1.0,"severity":"warning","model":"videomambapro-tiny-t8-112","snapshot_topic":"{{Prefix}}/agent-{{agent:D4}}/camera-{{camera}}/snapshot"
                """, retain: false, isEvent: true);

            progress($"measuring {seconds:0} s: every agent reports {cameras} camera states and its statistics every {ReportPeriod.TotalSeconds:0} s, {alertsPerSecond:0.##} alerts/s in all");
            var brokerCpuBefore = BenchMachine.CpuTime(broker.Id);
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            var end = start + (long)(seconds * Stopwatch.Frequency);
            var nextReport = Enumerable.Range(0, agents).Select(i => start + (long)(ReportPeriod.TotalSeconds * Stopwatch.Frequency * i / agents)).ToArray();
            var nextAlert = start;
            while (Stopwatch.GetTimestamp() < end)
            {
                var now = Stopwatch.GetTimestamp();
                for (var a = 0; a < agents; a++)
                {
                    if (now < nextReport[a]) continue;
                    nextReport[a] += (long)(ReportPeriod.TotalSeconds * Stopwatch.Frequency);
                    for (var c = 0; c < cameras; c++)
                    {
                        Publish(a, $"{Prefix}/agent-{a:D4}/camera-{c}/state", $$"""
                            "state":"normal","capture":"running","score":0.41,"alert_id":null,"capture_fps":25.0,"analysis_fps":8.0,"last_frame_time":"{{DateTimeOffset.UtcNow:O}}","last_error":null
                            """, retain: true, isEvent: false);
                    }
                    Publish(a, $"{Prefix}/agent-{a:D4}/stats", """
                        "version":"1.0.0","uptime_seconds":86400,"execution_provider":"cpu","inference_batch_ms_p50":41.2,"inference_batch_ms_p99":80.4,"queue_depth":0,"outbox_pending":0,"outbox_dropped":0,"commands_applied":0,"commands_rejected":0,"commands_dropped":0,"cameras":[{"camera":"camera-0","frames_in":2160000,"frames_analysed":691200,"frames_skipped":0,"clips_dropped":0,"windows_scored":172800,"reconnects":0,"stalls":0,"errors":0}]
                        """, retain: true, isEvent: false);
                }
                // Alerts as a Poisson process over all cameras: exponential gaps between starts.
                while (alertsPerSecond > 0 && now >= nextAlert)
                {
                    var (agent, camera, id) = (random.Next(agents), random.Next(cameras), Guid.CreateVersion7().ToString("N"));
                    Event(agent, camera, id, "start");
                    pendingEnds.Add((now + (long)(AlertLength.TotalSeconds * Stopwatch.Frequency), agent, camera, id));
                    nextAlert += (long)(-Math.Log(1 - random.NextDouble()) / alertsPerSecond * Stopwatch.Frequency);
                }
                foreach (var due in pendingEnds.Where(p => p.DueTicks <= now).ToList())
                {
                    Event(due.Agent, due.Camera, due.Id, "end");
                    pendingEnds.Remove(due);
                }
                Thread.Sleep(5);
            }
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var brokerCpu = (BenchMachine.CpuTime(broker.Id) - brokerCpuBefore).TotalSeconds / elapsed * 100;
            var ownCpu = (Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore).TotalSeconds / elapsed * 100;
            try
            {
                MqttBenchmark.Wait(() => sentAt.IsEmpty, TimeSpan.FromSeconds(30), "the last messages");
            }
            catch (TimeoutException)
            {
                // counted as lost below
            }
            var brokerRss = BenchMachine.PeakRssMb(broker.Id.ToString());
            foreach (var client in clients) client.Dispose();
            var all = latencies.ToArray();
            var eventLatency = all.Where(l => l.Event).Select(l => l.Ms).ToList();
            var allLatency = all.Select(l => l.Ms).ToList();
            return new Result(BenchMachine.CpuModel(), agents, cameras, alertsPerCameraHour, elapsed, sentCount, delivered, sentAt.Count,
                delivered / elapsed, events / elapsed, NearestRank.Percentile(allLatency, 50), NearestRank.Percentile(allLatency, 99),
                NearestRank.Percentile(eventLatency, 50), NearestRank.Percentile(eventLatency, 99), brokerCpu, brokerRss, ownCpu);
        }
        finally
        {
            if (!broker.HasExited) broker.Kill();
            broker.WaitForExit(5000);
        }
    }
}
