using System.Diagnostics;
using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Control;
using LineWatch.Diagnostics;
using LineWatch.Events;
using LineWatch.Processing;
using Microsoft.Extensions.Hosting;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Every 5 s: each camera's retained state (<c>normal</c> / <c>anomaly</c> / <c>learning</c> / <c>disabled</c> / <c>offline</c>, last score,
/// rates, last frame time) and the agent's statistics (per-camera counters, inference latency, outbox backlog).
/// </summary>
internal sealed class MqttStatusReporter(PipelineService pipeline, AlertService alerts, CameraControl control, MqttPublisher publisher,
    MqttCommandListener commands)
    : IHostedService, IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly long _started = Stopwatch.GetTimestamp();
    private Timer? _timer;
    private (long Ticks, long[] In, long[] Analysed)? _previous;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => Report(), null, TimeSpan.FromSeconds(1), Period);
        return Task.CompletedTask;
    }

    private void Report()
    {
        if (pipeline.Pipeline is not { } running || !publisher.IsConnected) return;
        var cameras = running.Cameras;
        var now = Stopwatch.GetTimestamp();
        var framesIn = cameras.Select(c => c.FramesIn).ToArray();
        var analysed = cameras.Select(c => c.FramesAnalysed).ToArray();
        var seconds = _previous is { } p ? Stopwatch.GetElapsedTime(p.Ticks, now).TotalSeconds : 0;
        double Rate(long[] current, long[]? before, int i) => seconds > 0 && before is not null ? (current[i] - before[i]) / seconds : 0;

        var stats = new List<object>();
        for (var i = 0; i < cameras.Count; i++)
        {
            var camera = cameras[i];
            var online = camera.State == CameraState.Streaming;
            var state = !online ? "offline" : !control.IsEnabled(i) ? "disabled" : control.Learning(i).Learning ? "learning"
                : alerts.ActiveAlert(i) is not null ? "anomaly" : "normal";
            var lastFrame = camera.LastFrameTicks == 0 ? (DateTimeOffset?)null : DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(camera.LastFrameTicks, now);
            var payload = new CameraStatePayload(state, camera.State.ToString().ToLowerInvariant(), alerts.LastScore(i) is { } s ? Math.Round(s, 3) : null,
                alerts.ActiveAlert(i), Math.Round(Rate(framesIn, _previous?.In, i), 2), Math.Round(Rate(analysed, _previous?.Analysed, i), 2), lastFrame, camera.LastError);
            publisher.PublishState(publisher.Topics.State(camera.Name), JsonSerializer.SerializeToUtf8Bytes(payload, Json));
            stats.Add(new
            {
                camera = camera.Name,
                frames_in = camera.FramesIn,
                frames_analysed = camera.FramesAnalysed,
                frames_skipped = camera.FramesSkipped,
                clips_dropped = camera.ClipsDropped,
                windows_scored = camera.WindowsScored,
                reconnects = camera.Reconnects,
                stalls = camera.Stalls,
                errors = camera.Errors,
            });
        }
        _previous = (now, framesIn, analysed);
        var summary = new
        {
            version = AppVersion.Current,
            uptime_seconds = Math.Round(Stopwatch.GetElapsedTime(_started).TotalSeconds),
            execution_provider = running.ExecutionProvider,
            inference_batch_ms_p50 = Round(running.Inference.BatchLatency.Percentile(50)),
            inference_batch_ms_p99 = Round(running.Inference.BatchLatency.Percentile(99)),
            queue_depth = running.Queue.Count,
            outbox_pending = publisher.Pending,
            outbox_dropped = publisher.Dropped,
            commands_applied = commands.Applied,
            commands_rejected = commands.Rejected,
            commands_dropped = commands.Dropped,
            cameras = stats,
        };
        publisher.PublishState(publisher.Topics.Stats, JsonSerializer.SerializeToUtf8Bytes(summary));
    }

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 1);

    private sealed record CameraStatePayload(string State, string Capture, double? Score, string? AlertId, double CaptureFps, double AnalysisFps,
        DateTimeOffset? LastFrameTime, string? LastError);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
