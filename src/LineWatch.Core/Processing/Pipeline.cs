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
/// reason) while the others run.
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
    private Timer? _watchdog;
    private bool _started, _disposed;

    public Pipeline(AgentOptions options, IReadOnlyList<CameraSource> sources, LoadedModel model, IWindowScorer? scorer,
        IReadOnlyList<IWindowSink> sinks, ILoggerFactory loggers, IAnalysisSwitch? analysisSwitch = null, IReadOnlyList<CameraRecording?>? recordings = null)
    {
        _logger = loggers.CreateLogger<Pipeline>();
        (_loggers, _analysisSwitch, _recordings) = (loggers, analysisSwitch, recordings);
        _workers = new CameraWorker?[options.Cameras.Count];
        _runner = new BackboneRunner(model, options.Model.MaxBatch);
        Shape = _runner.Shape;
        var stats = options.Cameras.Select(c => new CameraStats(c.Name)).ToArray();
        Cameras = stats;
        LiveFrames = options.Cameras.Select(_ => new LiveFrame()).ToArray();
        Pool = new ClipPool(Shape);
        Queue = new InferenceQueue(options.Model.QueueCapacity, Pool, stats);
        Inference = new InferenceScheduler(_runner, Queue, Pool, stats, scorer, sinks, TimeSpan.FromMilliseconds(options.Model.MaxBatchWaitMs),
            loggers.CreateLogger<InferenceScheduler>());

        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            if (!camera.Enabled)
            {
                stats[i].SetState(CameraState.Offline);
                stats[i].Error("disabled in the configuration");
                continue;
            }
            if (Mismatch(camera, i) is { } reason)
            {
                stats[i].SetState(CameraState.Offline);
                stats[i].Error(reason);
                _logger.LogError("Camera {Camera} rejected: {Reason}", camera.Name, reason);
                continue;
            }
            _workers[i] = Worker(i, camera, sources[i]);
        }
    }

    private CameraWorker Worker(int index, CameraOptions camera, CameraSource source) =>
        new(index, camera, source, Shape, Queue, Pool, Cameras[index], LiveFrames[index], _analysisSwitch, _loggers.CreateLogger<CameraWorker>(),
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
        var stats = Cameras[index];
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
    public IReadOnlyList<CameraStats> Cameras { get; }

    /// <summary>Each camera's latest picture, for the dashboard.</summary>
    public IReadOnlyList<LiveFrame> LiveFrames { get; }
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
        Stop(TimeSpan.FromSeconds(5));
        foreach (var worker in Running()) worker.Dispose();
        Inference.Dispose();
        _runner.Dispose();
    }
}
