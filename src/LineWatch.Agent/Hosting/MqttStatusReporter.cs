using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using Microsoft.Extensions.Hosting;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Every 5 s: each camera's retained state (<c>normal</c> / <c>anomaly</c> / <c>learning</c> / <c>disabled</c> / <c>offline</c>,
/// last score, rates, last frame time) and the agent's statistics (per-camera counters, inference latency,
/// outbox backlog, commands), from the agent's status snapshot. A camera removed from the configuration has its retained
/// state cleared (an empty retained message), at once or on the next connect, so a subscriber no longer sees it.
/// </summary>
internal sealed class MqttStatusReporter(AgentStatus status, MqttPublisher publisher, CameraSlots slots) : IHostedService, IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    // A report and a removal's clearing take turns, so a report taken just before a removal cannot put the state back after it.
    private readonly Lock _publishing = new();
    private Timer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        slots.Left += camera => Clear(slots.Name(camera)!);
        publisher.Connected += ClearRemoved;
        _timer = new Timer(_ => Report(), null, TimeSpan.FromSeconds(1), Period);
        return Task.CompletedTask;
    }

    private void Clear(string camera)
    {
        lock (_publishing) publisher.PublishState(publisher.Topics.State(camera), []);
    }

    /// <summary>Cameras removed while the broker was away (also once their slot went to another).</summary>
    private void ClearRemoved()
    {
        foreach (var camera in slots.Removed()) Clear(camera);
    }

    private void Report()
    {
        lock (_publishing) Publish();
    }

    private void Publish()
    {
        var snapshot = status.Refresh(); // retained for up to 5 s: worth being current, not a second old
        if (!snapshot.Analysing || !publisher.IsConnected) return;
        foreach (var c in snapshot.Cameras)
        {
            if (!slots.IsConfigured(c.Slot)) continue;
            var payload = new CameraStatePayload(c.State, c.Capture, c.Score, c.AlertId, c.CaptureFps, c.AnalysisFps, c.LastFrameTime, c.LastError);
            publisher.PublishState(publisher.Topics.State(c.Name), JsonSerializer.SerializeToUtf8Bytes(payload, Json));
        }
        var summary = new
        {
            version = snapshot.Version,
            uptime_seconds = snapshot.UptimeSeconds,
            execution_provider = snapshot.ExecutionProvider,
            inference_batch_ms_p50 = snapshot.InferenceP50Ms,
            inference_batch_ms_p99 = snapshot.InferenceP99Ms,
            queue_depth = snapshot.QueueDepth,
            outbox_pending = snapshot.OutboxPending,
            outbox_dropped = snapshot.OutboxDropped,
            commands_applied = snapshot.CommandsApplied,
            commands_rejected = snapshot.CommandsRejected,
            commands_dropped = snapshot.CommandsDropped,
            cameras = snapshot.Cameras.Select(c => new
            {
                camera = c.Name,
                frames_in = c.FramesIn,
                frames_analysed = c.FramesAnalysed,
                frames_skipped = c.FramesSkipped,
                clips_dropped = c.ClipsDropped,
                windows_scored = c.WindowsScored,
                reconnects = c.Reconnects,
                stalls = c.Stalls,
                errors = c.Errors,
            }),
        };
        publisher.PublishState(publisher.Topics.Stats, JsonSerializer.SerializeToUtf8Bytes(summary));
    }

    private sealed record CameraStatePayload(string State, string Capture, double? Score, string? AlertId, double CaptureFps, double AnalysisFps,
        DateTimeOffset? LastFrameTime, string? LastError);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
