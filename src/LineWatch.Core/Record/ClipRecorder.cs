using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Processing;
using Microsoft.Extensions.Logging;

namespace LineWatch.Record;

/// <summary>A camera's clip figures for the dashboard and metrics.</summary>
public sealed record ClipCameraStats(bool Recording, string? CurrentAlert, long Written, long Failed, long Skipped, long FramesDropped,
    double HeldSeconds, long MemoryBytes, long EncodeErrors);

/// <summary>
/// Event clips (DESIGN.md §1's "event clip on disk"): per camera a <see cref="CameraRecording"/> on the capture thread
/// and a <see cref="ClipWriter"/> on its own; told of every alert event by <see cref="AlertService"/>, and of every
/// scored window for the heatmap. With <c>Clips:Enabled</c> off (or a camera's <c>RecordClips</c> off) it holds
/// nothing for that camera and costs nothing.
/// </summary>
public sealed class ClipRecorder : IAlertRecorder, IWindowSink, IDisposable
{
    private readonly CameraRecording?[] _recordings;
    private readonly ClipWriter?[] _writers;
    private readonly Dictionary<string, int> _cameras;

    public ClipRecorder(AgentOptions options, ClipStore store, ILoggerFactory loggers)
    {
        Store = store;
        var clips = options.Clips;
        var logger = loggers.CreateLogger<ClipRecorder>();
        _recordings = options.Cameras.Select(c => clips.Enabled && c.RecordClips
            ? new CameraRecording(c.Name, clips, clips.BurnHeatmap ? new HeatmapOverlay() : null) : null).ToArray();
        _writers = _recordings.Select(r => r is null ? null : new ClipWriter(r, clips, store, logger)).ToArray();
        _cameras = options.Cameras.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i);
        if (clips.Enabled) store.Prune();
        foreach (var writer in _writers) writer?.Start();
    }

    public ClipStore Store { get; }

    /// <summary>What the camera's capture thread records into, or null when it records no clips.</summary>
    public CameraRecording? ForCamera(int index) => _recordings[index];

    public IReadOnlyList<CameraRecording?> Recordings => _recordings;

    public ClipCameraStats? Stats(int camera)
    {
        if (_recordings[camera] is not { } recording || _writers[camera] is not { } writer) return null;
        return new ClipCameraStats(writer.Current is not null, writer.Current, writer.Written, writer.Failed, writer.Skipped, writer.FramesDropped,
            recording.Ring?.HeldSeconds ?? 0, recording.MemoryBytes, recording.EncodeErrors);
    }

    /// <summary>Starts a clip with the alert, ends it with its end; the end's link is where the dashboard serves it.</summary>
    public string? OnAlert(AlertEvent alert, long ticks)
    {
        if (!_cameras.TryGetValue(alert.Camera, out var camera) || _writers[camera] is not { } writer) return null;
        switch (alert.Phase)
        {
            case AlertPhase.Start:
                writer.Begin(alert.Id, ticks);
                return null;
            case AlertPhase.End:
                return writer.End(alert.Id, ticks) ? ClipStore.Link(alert.Id) : null;
            default:
                return null;
        }
    }

    /// <summary>Each scored window's anomaly map, for cameras that burn the heatmap in.</summary>
    public void OnWindow(WindowResult window)
    {
        if (window.Score is null || _recordings[window.CameraIndex]?.Overlay is not { } overlay) return;
        overlay.Update(window.AnomalyMap.Span);
    }

    /// <summary>Finishes the clips being written (cut short) so they are playable, within <paramref name="timeout"/> per camera.</summary>
    public void Stop(TimeSpan timeout) => Parallel.ForEach(_writers, writer => writer?.Stop(timeout));

    public void Dispose()
    {
        foreach (var writer in _writers) writer?.Dispose();
        foreach (var recording in _recordings) recording?.Dispose();
    }
}
