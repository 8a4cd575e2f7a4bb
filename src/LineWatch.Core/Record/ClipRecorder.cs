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
/// nothing for that camera and costs nothing. A camera added to the configuration while the agent runs gets its recording
/// from <see cref="Open"/>, before its capture starts; in the slot of a removed camera, a new one, not the removed camera's.
/// </summary>
public sealed class ClipRecorder : IAlertRecorder, IWindowSink, IDisposable
{
    // Per camera slot; a slot's pair is made when its camera first joins, and kept for when it is put back until a new camera takes the slot.
    private readonly CameraRecording?[] _recordings;
    private readonly ClipWriter?[] _writers;
    private readonly bool[] _opened;
    private readonly CameraSlots _slots;
    private readonly ClipOptions _clips;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    /// <param name="slots">The agent's camera slots; null for the configured cameras alone.</param>
    public ClipRecorder(AgentOptions options, ClipStore store, ILoggerFactory loggers, CameraSlots? slots = null)
    {
        Store = store;
        _clips = options.Clips;
        _logger = loggers.CreateLogger<ClipRecorder>();
        _slots = slots ?? new CameraSlots(options);
        _recordings = new CameraRecording?[_slots.Capacity];
        _writers = new ClipWriter?[_slots.Capacity];
        _opened = new bool[_slots.Capacity];
        if (_clips.Enabled) store.Prune();
        foreach (var camera in _slots.Configured()) Open(camera);
        _slots.Reused += Forget;
    }

    /// <summary>
    /// A new camera took the slot of a removed one (its capture stopped, its alert ended): the removed camera's writer finishes
    /// what it writes and goes with its pre-roll, so the new camera's clips hold none of its pictures and carry its own name.
    /// </summary>
    private void Forget(int camera, string previous)
    {
        lock (_lock)
        {
            var (recording, writer) = (_recordings[camera], _writers[camera]);
            Volatile.Write(ref _recordings[camera], null);
            Volatile.Write(ref _writers[camera], null);
            _opened[camera] = false;
            writer?.Stop(TimeSpan.FromSeconds(5));
            writer?.Dispose();
            recording?.Dispose();
        }
    }

    /// <summary>Makes and starts the recording of the camera in the slot, if it records clips; once per slot.</summary>
    public void Open(int camera)
    {
        lock (_lock)
        {
            if (_opened[camera]) return;
            _opened[camera] = true;
            if (_slots.Camera(camera) is not { } settings || !_clips.Enabled || !settings.RecordClips) return;
            var recording = new CameraRecording(settings.Name, _clips, _clips.BurnHeatmap ? new HeatmapOverlay() : null);
            var writer = new ClipWriter(recording, _clips, Store, _logger);
            Volatile.Write(ref _recordings[camera], recording);
            Volatile.Write(ref _writers[camera], writer);
            writer.Start();
        }
    }

    public ClipStore Store { get; }

    /// <summary>What the camera's capture thread records into, or null when it records no clips.</summary>
    public CameraRecording? ForCamera(int index) => Volatile.Read(ref _recordings[index]);

    public IReadOnlyList<CameraRecording?> Recordings => _recordings;

    public ClipCameraStats? Stats(int camera)
    {
        if (Volatile.Read(ref _recordings[camera]) is not { } recording || Volatile.Read(ref _writers[camera]) is not { } writer) return null;
        return new ClipCameraStats(writer.Current is not null, writer.Current, writer.Written, writer.Failed, writer.Skipped, writer.FramesDropped,
            recording.Ring?.HeldSeconds ?? 0, recording.MemoryBytes, recording.EncodeErrors);
    }

    /// <summary>Starts a clip with the alert, ends it with its end; the end's link is where the dashboard serves it.</summary>
    public string? OnAlert(AlertEvent alert, long ticks)
    {
        // By any slot the camera held: the end of its alert comes as it leaves the configuration.
        if (_slots.SlotOf(alert.Camera) is not { } camera || Volatile.Read(ref _writers[camera]) is not { } writer) return null;
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
        if (window.Score is null || Volatile.Read(ref _recordings[window.CameraIndex])?.Overlay is not { } overlay) return;
        overlay.Update(window.AnomalyMap.Span);
    }

    /// <summary>Finishes the clips being written (cut short) so they are playable, within <paramref name="timeout"/> per camera.</summary>
    public void Stop(TimeSpan timeout)
    {
        lock (_lock) Parallel.ForEach(_writers, writer => writer?.Stop(timeout));
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var writer in _writers) writer?.Dispose();
            foreach (var recording in _recordings) recording?.Dispose();
        }
    }
}
