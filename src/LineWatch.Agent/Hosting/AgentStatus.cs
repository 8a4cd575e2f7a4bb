using System.Diagnostics;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.Diagnostics;
using LineWatch.Events;
using LineWatch.Processing;
using Microsoft.Extensions.Hosting;

namespace LineWatch.Agent.Hosting;

/// <summary>One camera as the outside sees it: what it is doing, its rates over the last seconds and its counters. <paramref name="Slot"/>
/// is its index in the agent's per-camera state (<see cref="CameraSlots"/>).</summary>
internal sealed record CameraStatus(int Slot, string Name, string State, string Capture, double? Score, string? AlertId, bool Enabled, LearningStatus Learning,
    double CaptureFps, double AnalysisFps, DateTimeOffset? LastFrameTime, string? LastError, long FramesIn, long FramesAnalysed, long FramesSkipped,
    long ClipsDropped, long WindowsScored, long Reconnects, long Stalls, long Errors, double? LatencyP50Ms, double? LatencyP99Ms, long Picture);

/// <summary>The whole agent at one moment: the one source for MQTT state/stats, the dashboard and /metrics.</summary>
internal sealed record AgentSnapshot(DateTimeOffset Time, string AgentId, string Version, double UptimeSeconds, bool Analysing, string? ExecutionProvider,
    double? InferenceP50Ms, double? InferenceP99Ms, long InferenceBatches, long InferenceFailures, int QueueDepth, int QueueCapacity, bool MqttConnected,
    int OutboxPending, long OutboxDropped, long CommandsApplied, long CommandsRejected, long CommandsDropped, IReadOnlyList<CameraStatus> Cameras);

/// <summary>
/// Takes an <see cref="AgentSnapshot"/> every second, of the cameras in the configuration at that moment. Rates are over the
/// last five seconds, so one late frame does not make a camera look slow.
/// </summary>
internal sealed class AgentStatus(AgentOptions options, CameraSlots slots, PipelineService pipeline, AlertService alerts, CameraControl control, MqttPublisher publisher,
    MqttCommandListener commands) : IHostedService, IDisposable
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly RateWindow _rates = new(TimeSpan.FromSeconds(5), TimeProvider.System);
    private readonly object _lock = new();
    private Timer? _timer;
    private volatile AgentSnapshot? _current;

    /// <summary>The latest snapshot (taken now if none was yet).</summary>
    public AgentSnapshot Current => _current ?? Take();

    /// <summary>A snapshot taken now, for a change that should not wait for the next second (an alert started).</summary>
    public AgentSnapshot Refresh() => Take();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => Take(), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    private AgentSnapshot Take()
    {
        lock (_lock)
        {
            var running = pipeline.Pipeline;
            var now = Stopwatch.GetTimestamp();
            var count = slots.Capacity;
            var framesIn = Enumerable.Range(0, count).Select(i => running?.Stats(i)?.FramesIn ?? 0).ToArray();
            var analysed = Enumerable.Range(0, count).Select(i => running?.Stats(i)?.FramesAnalysed ?? 0).ToArray();
            // Both counters of every camera slot in one window: [frames in..., frames analysed...].
            var rates = _rates.Rates([.. framesIn, .. analysed]);

            var configured = slots.Configured();
            var cameras = new List<CameraStatus>(configured.Count);
            foreach (var i in configured)
            {
                var camera = running?.Stats(i);
                var capture = camera?.State ?? CameraState.Offline;
                var learning = control.Learning(i);
                var state = capture != CameraState.Streaming ? "offline" : !control.IsEnabled(i) ? "disabled" : learning.Learning ? "learning"
                    : alerts.ActiveAlert(i) is not null ? "anomaly" : "normal";
                var lastFrame = camera is null || camera.LastFrameTicks == 0 ? (DateTimeOffset?)null : DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(camera.LastFrameTicks, now);
                cameras.Add(new CameraStatus(i, slots.Name(i)!, state, capture.ToString().ToLowerInvariant(), alerts.LastScore(i) is { } s ? Math.Round(s, 3) : null,
                    alerts.ActiveAlert(i), control.IsEnabled(i), learning, Math.Round(rates[i], 2), Math.Round(rates[count + i], 2), lastFrame,
                    camera?.LastError, camera?.FramesIn ?? 0, camera?.FramesAnalysed ?? 0, camera?.FramesSkipped ?? 0, camera?.ClipsDropped ?? 0,
                    camera?.WindowsScored ?? 0, camera?.Reconnects ?? 0, camera?.Stalls ?? 0, camera?.Errors ?? 0,
                    Round(camera?.Latency.Percentile(50)), Round(camera?.Latency.Percentile(99)), running?.LiveFrame(i)?.Sequence ?? 0));
            }

            var inference = running?.Inference;
            var snapshot = new AgentSnapshot(DateTimeOffset.UtcNow, options.AgentId, AppVersion.Current, Math.Round(Stopwatch.GetElapsedTime(_started).TotalSeconds),
                running is not null, running?.ExecutionProvider, Round(inference?.BatchLatency.Percentile(50)), Round(inference?.BatchLatency.Percentile(99)),
                inference?.Batches ?? 0, inference?.Failures ?? 0, running?.Queue.Count ?? 0, options.Model.QueueCapacity, publisher.IsConnected,
                publisher.Pending, publisher.Dropped, commands.Applied, commands.Rejected, commands.Dropped, cameras);
            _current = snapshot;
            return snapshot;
        }
    }

    private static double? Round(double? value) => value is { } v && !double.IsNaN(v) ? Math.Round(v, 1) : null;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
