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
    private readonly List<CameraWorker> _workers = [];
    private readonly BackboneRunner _runner;
    private readonly ILogger _logger;
    private Timer? _watchdog;
    private bool _disposed;

    public Pipeline(AgentOptions options, IReadOnlyList<CameraSource> sources, LoadedModel model, IWindowScorer? scorer,
        IReadOnlyList<IWindowSink> sinks, ILoggerFactory loggers, IAnalysisSwitch? analysisSwitch = null, IReadOnlyList<CameraRecording?>? recordings = null)
    {
        _logger = loggers.CreateLogger<Pipeline>();
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
            _workers.Add(new CameraWorker(i, camera, sources[i], Shape, Queue, Pool, stats[i], LiveFrames[i], analysisSwitch, loggers.CreateLogger<CameraWorker>(),
                recordings?[i]));
        }
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
        foreach (var worker in _workers) worker.Start();
        _watchdog = new Timer(_ => CheckWatchdogs(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _logger.LogInformation("Analysis started: {Cameras} camera(s), window {Frames}x{Size}x{Size}, {Provider}", _workers.Count,
            Shape.Frames, Shape.ImageSize, Shape.ImageSize, ExecutionProvider);
    }

    /// <summary>A camera that delivered frames and then went quiet for its watchdog time is reconnected.</summary>
    private void CheckWatchdogs()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var worker in _workers)
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
        Parallel.ForEach(_workers, worker => worker.Stop(timeout));
        Inference.Stop(timeout);
        Queue.Clear();
    }

    /// <summary>Idempotent: the host may dispose a hosted service's dependencies more than once.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stop(TimeSpan.FromSeconds(5));
        foreach (var worker in _workers) worker.Dispose();
        Inference.Dispose();
        _runner.Dispose();
    }
}
