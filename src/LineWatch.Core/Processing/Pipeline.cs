using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Record;
using Microsoft.Extensions.Logging;

namespace LineWatch.Processing;

/// <summary>
/// The analysis path of DESIGN.md §1 from cameras to scored windows: one capture thread per camera, a shared
/// bounded inference queue, one inference thread batching across cameras, and a watchdog. The window shape
/// (T, S) comes from the model file; a camera that asks for another is rejected (left offline with the
/// reason) while the others run. Indexed by camera slot (<see cref="CameraSlots"/>): a camera added while it runs gets
/// its counters and picture buffer when it first starts, in a slot the queue and the inference thread already know; in
/// the slot of a removed camera, it gets new ones and none of that camera's windows.
/// </summary>
public sealed class Pipeline : IDisposable
{
    // The running capture per camera (null: disabled, rejected or removed); replaced under _workersLock, read as a snapshot.
    private readonly CameraWorker?[] _workers;
    private readonly Lock _workersLock = new();
    private readonly BackboneRunner _runner;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly IAnalysisSwitch? _analysisSwitch;
    private readonly IReadOnlyList<CameraRecording?>? _recordings;
    private readonly CameraSlots _slots;
    private readonly CameraStats?[] _stats;
    private readonly LiveFrame?[] _liveFrames;
    private Timer? _watchdog;
    private bool _started, _disposed;

    /// <param name="recordings">Per camera slot, what its capture records clips into (read when the camera starts).</param>
    /// <param name="slots">The agent's camera slots; null for the configured cameras alone.</param>
    public Pipeline(AgentOptions options, IReadOnlyList<CameraSource> sources, LoadedModel model, IWindowScorer? scorer,
        IReadOnlyList<IWindowSink> sinks, ILoggerFactory loggers, IAnalysisSwitch? analysisSwitch = null, IReadOnlyList<CameraRecording?>? recordings = null,
        CameraSlots? slots = null)
    {
        _logger = loggers.CreateLogger<Pipeline>();
        (_loggers, _analysisSwitch, _recordings) = (loggers, analysisSwitch, recordings);
        _slots = slots ?? new CameraSlots(options);
        _workers = new CameraWorker?[_slots.Capacity];
        _runner = new BackboneRunner(model, options.Model.MaxBatch);
        Shape = _runner.Shape;
        _stats = new CameraStats?[_slots.Capacity];
        _liveFrames = new LiveFrame?[_slots.Capacity];
        Pool = new ClipPool(Shape);
        Queue = new InferenceQueue(options.Model.QueueCapacity, Pool, _stats);
        Inference = new InferenceScheduler(_runner, Queue, Pool, _stats, _slots, scorer, sinks, TimeSpan.FromMilliseconds(options.Model.MaxBatchWaitMs),
            loggers.CreateLogger<InferenceScheduler>());

        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var stats = Open(i, camera.Name);
            if (!camera.Enabled)
            {
                stats.SetState(CameraState.Offline);
                stats.Error("disabled in the configuration");
                continue;
            }
            if (Mismatch(camera, i) is { } reason)
            {
                stats.SetState(CameraState.Offline);
                stats.Error(reason);
                _logger.LogError("Camera {Camera} rejected: {Reason}", camera.Name, reason);
                continue;
            }
            _workers[i] = Worker(i, camera, sources[i]);
        }
        _slots.Reused += Forget;
    }

    /// <summary>
    /// A new camera took the slot of a removed one (whose capture has stopped): the removed camera's windows still waiting
    /// are dropped, and its counters and picture buffer go, so the new camera starts from zero (<see cref="Open"/>).
    /// Windows of it already taken for inference are dropped there, as their counters are no longer the slot's.
    /// </summary>
    private void Forget(int index, string previous)
    {
        Queue.Forget(index);
        lock (_workersLock)
        {
            Volatile.Write(ref _stats[index], null);
            Volatile.Write(ref _liveFrames[index], null);
        }
    }

    /// <summary>The slot's counters, made (with its picture buffer) when its camera first starts; kept while it is out of the configuration
    /// until a new camera takes the slot.</summary>
    private CameraStats Open(int index, string name)
    {
        lock (_workersLock)
        {
            if (_stats[index] is { } stats) return stats;
            Volatile.Write(ref _liveFrames[index], new LiveFrame());
            Volatile.Write(ref _stats[index], stats = new CameraStats(name));
            return stats;
        }
    }

    private CameraWorker Worker(int index, CameraOptions camera, CameraSource source) =>
        new(index, camera, source, Shape, Queue, Pool, _stats[index]!, _liveFrames[index]!, _analysisSwitch, _loggers.CreateLogger<CameraWorker>(),
            _recordings?[index]);

    private CameraWorker[] Running()
    {
        lock (_workersLock) return _workers.OfType<CameraWorker>().ToArray();
    }

    /// <summary>
    /// Stops one camera's capture (it left the configuration) while the others run on; its windows already queued are
    /// still scored. Returns false when it was not running.
    /// </summary>
    public bool StopCamera(int index, string reason, TimeSpan timeout)
    {
        CameraWorker? worker;
        lock (_workersLock)
        {
            worker = _workers[index];
            _workers[index] = null;
        }
        if (worker is null) return false;
        worker.Stop(timeout);
        worker.Dispose();
        worker.Stats.SetState(CameraState.Offline);
        worker.Stats.Error(reason);
        _logger.LogInformation("Camera {Camera} stopped: {Reason}", worker.Stats.Name, reason);
        return true;
    }

    /// <summary>Starts capture of camera <paramref name="index"/> (back in the configuration) with these settings; false when it
    /// runs already or is refused (the reason is its last error).</summary>
    public bool StartCamera(int index, CameraOptions camera, CameraSource source)
    {
        var stats = Open(index, camera.Name);
        if (!camera.Enabled)
        {
            stats.Error("disabled in the configuration");
            return false;
        }
        if (Mismatch(camera, index) is { } reason)
        {
            stats.Error(reason);
            _logger.LogError("Camera {Camera} rejected: {Reason}", camera.Name, reason);
            return false;
        }
        CameraWorker worker;
        lock (_workersLock)
        {
            if (_workers[index] is not null || _disposed) return false;
            worker = Worker(index, camera, source);
            _workers[index] = worker;
            if (_started) worker.Start();
        }
        _logger.LogInformation("Camera {Camera} started", camera.Name);
        return true;
    }

    public ClipShape Shape { get; }
    public string ExecutionProvider => _runner.ExecutionProvider;

    /// <summary>The counters of the cameras in the configuration, in slot order.</summary>
    public IReadOnlyList<CameraStats> Cameras => _slots.Configured().Select(Stats).OfType<CameraStats>().ToArray();

    /// <summary>The counters of the camera in a slot; null before it first started.</summary>
    public CameraStats? Stats(int index) => Volatile.Read(ref _stats[index]);

    /// <summary>The latest picture of the camera in a slot, for the dashboard; null before it first started.</summary>
    public LiveFrame? LiveFrame(int index) => Volatile.Read(ref _liveFrames[index]);
    public InferenceQueue Queue { get; }
    public ClipPool Pool { get; }
    public InferenceScheduler Inference { get; }

    public void Start()
    {
        Inference.Start();
        lock (_workersLock)
        {
            _started = true;
            foreach (var worker in _workers) worker?.Start();
        }
        _watchdog = new Timer(_ => CheckWatchdogs(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _logger.LogInformation("Analysis started: {Cameras} camera(s), window {Frames}x{Size}x{Size}, {Provider}", Running().Length,
            Shape.Frames, Shape.ImageSize, Shape.ImageSize, ExecutionProvider);
    }

    /// <summary>A camera that delivered frames and then went quiet for its watchdog time is reconnected.</summary>
    private void CheckWatchdogs()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var worker in Running())
        {
            var stats = worker.Stats;
            if (stats.State != CameraState.Streaming || Stopwatch.GetElapsedTime(stats.LastFrameTicks, now) <= worker.Watchdog) continue;
            stats.Stalled();
            stats.SetState(CameraState.Stalled);
            worker.RequestReconnect();
            _logger.LogWarning("Camera {Camera} stalled: no frame for {Seconds:0} s; reconnecting", stats.Name, worker.Watchdog.TotalSeconds);
        }
    }

    private string? Mismatch(CameraOptions camera, int index)
    {
        if (camera.WindowFrames != 0 && camera.WindowFrames != Shape.Frames)
        {
            return $"Cameras:{index}:WindowFrames is {camera.WindowFrames} but the model's window is {Shape.Frames} frames";
        }
        if (camera.ImageSize != 0 && camera.ImageSize != Shape.ImageSize)
        {
            return $"Cameras:{index}:ImageSize is {camera.ImageSize} but the model takes {Shape.ImageSize}x{Shape.ImageSize}";
        }
        var errors = new List<ConfigError>();
        RegionRules.CheckCoverage(camera.Regions, $"Cameras:{index}:Regions", Shape.Grid, errors);
        return errors.Count > 0 ? errors[0].ToString() : null;
    }

    /// <summary>Stops capture first (no new clips), then inference; waits at most <paramref name="timeout"/> for each.</summary>
    public void Stop(TimeSpan timeout)
    {
        _watchdog?.Dispose();
        Parallel.ForEach(Running(), worker => worker.Stop(timeout));
        Inference.Stop(timeout);
        Queue.Clear();
    }

    /// <summary>Idempotent: the host may dispose a hosted service's dependencies more than once.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _slots.Reused -= Forget;
        Stop(TimeSpan.FromSeconds(5));
        foreach (var worker in Running()) worker.Dispose();
        Inference.Dispose();
        _runner.Dispose();
    }
}
