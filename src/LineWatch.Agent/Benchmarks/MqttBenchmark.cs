using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Processing;
using LineWatch.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// Alert delivery as an integrator sees it, on this machine: scored windows go into the alert service (policy,
/// snapshot JPEG, the SQLite journal with fsync, MQTTnet) to a local Mosquitto started as the embedded broker,
/// and a separate MQTTnet connection subscribed to the events topic stamps each arrival. Latency is timed from
/// the window's hand-over to the alert service to the subscriber, at a steady rate; throughput is a burst of
/// events until every one has arrived.
/// </summary>
internal static class MqttBenchmark
{
    private const string Camera = "bench";

    public sealed record Result(int Events, double RatePerSecond, double LatencyP50Ms, double LatencyP90Ms, double LatencyP99Ms, double LatencyMaxMs,
        int BurstEvents, double BurstEventsPerSecond, int Lost, int SnapshotBytes);

    public static Result Run(int events, double rate, int burstEvents, Action<string> progress)
    {
        using var scratch = new ScratchDirectory();
        var options = new AgentOptions { AgentId = "bench", DataDir = scratch.Path };
        options.Mqtt.Port = FreePort();
        options.Cameras.Add(new CameraOptions { Name = Camera, Source = "demo:" });
        options.Alerts = new AlertOptions { OnScore = 1, OffScore = 0.8, MinWindows = 1, CooldownSeconds = 0, CriticalScore = 2 };
        using var broker = new EmbeddedBroker(options.Mqtt, options.AgentId, scratch.Path, NullLogger<EmbeddedBroker>.Instance);
        broker.Start();
        using var database = AgentDatabase.Open(scratch.Path, NullLogger.Instance);
        using var publisher = new MqttPublisher(options, "bench", database, NullLogger<MqttPublisher>.Instance);
        var arrivals = new ConcurrentDictionary<(string Id, string Type), long>();
        using var subscriber = new MqttConnection(options.Mqtt, "bench-subscriber", "linewatch/bench-subscriber/status", NullLogger.Instance);
        subscriber.Subscribe(publisher.Topics.Events(Camera));
        subscriber.MessageReceived += (_, payload, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(payload.ToArray());
            arrivals.TryAdd((json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("type").GetString()!), now);
        };
        publisher.Start();
        subscriber.Start();
        Wait(() => publisher.IsConnected && subscriber.IsConnected, TimeSpan.FromSeconds(10), "the broker");
        Thread.Sleep(500); // the subscription is made on connect; let its SUBACK come back

        var snapshotBytes = 0;
        var journal = new AlertJournal(database, new AlertHistory(database), [publisher], NullLogger<AlertJournal>.Instance);
        var alerts = new AlertService(options, [journal, new SnapshotSize(n => snapshotBytes = n)], NullLogger<AlertService>.Instance);
        var window = Window();
        var sent = new Dictionary<(string Id, string Type), long>();
        void Send(double score)
        {
            var before = alerts.ActiveAlert(0);
            var t = Stopwatch.GetTimestamp();
            window.Score = score;
            window.FrameTicks = new[] { t };
            alerts.OnWindow(window);
            if (alerts.ActiveAlert(0) is { } started && started != before) sent[(started, "start")] = t;
            else if (before is not null && alerts.ActiveAlert(0) is null) sent[(before, "end")] = t;
        }

        progress($"latency: {events} events at {rate:0.#}/s");
        var period = TimeSpan.FromSeconds(1 / rate);
        var next = Stopwatch.GetTimestamp();
        for (var i = 0; i < events; i++)
        {
            while (Stopwatch.GetTimestamp() < next) Thread.Sleep(1);
            next += (long)(period.TotalSeconds * Stopwatch.Frequency);
            Send(i % 2 == 0 ? 1.5 : 0.1);
        }
        Wait(() => sent.Keys.All(arrivals.ContainsKey), TimeSpan.FromSeconds(30), "the latency events");
        var latency = new Samples();
        foreach (var (key, t) in sent) latency.Add(Stopwatch.GetElapsedTime(t, arrivals[key]).TotalMilliseconds);

        progress($"throughput: a burst of {burstEvents} events");
        sent.Clear();
        arrivals.Clear();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < burstEvents; i++) Send(i % 2 == 0 ? 1.5 : 0.1);
        var lost = 0;
        try
        {
            Wait(() => sent.Keys.All(arrivals.ContainsKey), TimeSpan.FromSeconds(120), "the burst");
        }
        catch (TimeoutException)
        {
            lost = sent.Keys.Count(k => !arrivals.ContainsKey(k));
        }
        var last = arrivals.Values.DefaultIfEmpty(start).Max();
        var seconds = Stopwatch.GetElapsedTime(start, last).TotalSeconds;
        subscriber.Stop();
        publisher.Stop();
        broker.Stop();
        return new Result(latency.Count, rate, latency.Percentile(50), latency.Percentile(90), latency.Percentile(99), latency.Percentile(100),
            burstEvents, (burstEvents - lost) / seconds, lost, snapshotBytes);
    }

    /// <summary>A window as the inference thread hands it over: 8 thumbnails of a 640x360 camera and a 7x7 anomaly map.</summary>
    private static WindowResult Window()
    {
        var (width, height) = ClipShape.ThumbnailSize(640, 360);
        var thumbnails = new byte[8 * ClipShape.ThumbnailBytes];
        new Random(1).NextBytes(thumbnails);
        var map = new float[49];
        map[24] = 1.5f;
        return new WindowResult
        {
            CameraIndex = 0, Camera = Camera, Embedding = new float[192], Tokens = new float[8 * 49 * 192], AnomalyMap = map,
            Thumbnails = thumbnails, ThumbnailWidth = width, ThumbnailHeight = height, WorstFrame = 7,
        };
    }

    private sealed class SnapshotSize(Action<int> record) : IAlertSink
    {
        public void OnAlert(AlertNotice notice)
        {
            if (notice.Snapshot is { } jpeg) record(jpeg.Length);
        }
    }

    internal static void Wait(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
            Thread.Sleep(1);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
