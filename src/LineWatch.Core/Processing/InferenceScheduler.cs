using System.Diagnostics;
using LineWatch.Configuration;
using Microsoft.Extensions.Logging;

namespace LineWatch.Processing;

/// <summary>
/// The inference thread: takes batches of clips across cameras from the queue (up to MaxBatch, waiting at
/// most MaxBatchWait for a batch to fill), runs the backbone, and hands each window to the scorer and the
/// sinks. One thread, because ORT parallelises each run over its own intra-op threads.
/// </summary>
public sealed class InferenceScheduler : IDisposable
{
    private readonly BackboneRunner _runner;
    private readonly InferenceQueue _queue;
    private readonly ClipPool _pool;
    // Per camera slot; a slot with clips in the queue has its counters (they are made before its capture starts).
    private readonly CameraStats?[] _stats;
    private readonly CameraSlots _slots;
    private readonly IWindowScorer? _scorer;
    private readonly FanOut<IWindowSink> _sinks;
    private readonly TimeSpan _maxWait;
    private readonly ILogger _logger;
    private readonly Clip[] _batch;
    private readonly WindowResult[] _results;
    private readonly DedicatedThread _loop;
    private long _batches, _clips, _failures, _scoringFailures;
    private long _batchStartedTicks; // 0 while the thread waits for clips

    public InferenceScheduler(BackboneRunner runner, InferenceQueue queue, ClipPool pool, CameraStats?[] stats, CameraSlots slots, IWindowScorer? scorer,
        IReadOnlyList<IWindowSink> sinks, TimeSpan maxWait, ILogger logger)
    {
        (_runner, _queue, _pool, _stats, _slots, _scorer, _maxWait, _logger) = (runner, queue, pool, stats, slots, scorer, maxWait, logger);
        _sinks = new FanOut<IWindowSink>(sinks, "Window", logger);
        _batch = new Clip[runner.MaxBatch];
        _results = new WindowResult[runner.MaxBatch];
        for (var i = 0; i < _results.Length; i++) _results[i] = new WindowResult();
        _loop = new DedicatedThread("inference", Run);
    }

    /// <summary>Inference time per batch, for health and metrics.</summary>
    public LatencyWindow BatchLatency { get; } = new(512);

    /// <summary>Every batch's inference time since start, for /metrics.</summary>
    public Diagnostics.LatencyHistogram BatchHistogram { get; } = new();

    public long Batches => Interlocked.Read(ref _batches);
    public long Clips => Interlocked.Read(ref _clips);
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Windows whose scoring threw: they went to the sinks unscored.</summary>
    public long ScoringFailures => Interlocked.Read(ref _scoringFailures);

    /// <summary>
    /// How long the batch in hand (inference, scoring, sinks) has been running; zero while the thread waits for
    /// clips. It grows without bound only when something on that path hangs: the liveness signal for the
    /// service manager's watchdog.
    /// </summary>
    public TimeSpan BatchRunningFor
    {
        get
        {
            var started = Interlocked.Read(ref _batchStartedTicks);
            return started == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started);
        }
    }

    public void Start() => _loop.Start();

    private void Run()
    {
        while (!_loop.Token.IsCancellationRequested)
        {
            var count = _queue.TakeBatch(_batch, _maxWait, _loop.Token);
            if (count == 0) continue;
            Interlocked.Exchange(ref _batchStartedTicks, Stopwatch.GetTimestamp());
            try
            {
                for (var i = 0; i < count; i++) _batch[i].Data.CopyTo(_runner.InputSlot(i));
                var start = Stopwatch.GetTimestamp();
                _runner.Run(count);
                var end = Stopwatch.GetTimestamp();
                var milliseconds = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                BatchLatency.Add(milliseconds);
                BatchHistogram.Record(milliseconds);
                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _clips, count);
                for (var i = 0; i < count; i++) Deliver(i, start, end);
            }
            catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                // A failed run loses these windows, not the agent: count it, say why, carry on with the next batch.
                Interlocked.Increment(ref _failures);
                _logger.LogError("Inference failed for a batch of {Count}: {Reason}", count, e.Message);
            }
            finally
            {
                Interlocked.Exchange(ref _batchStartedTicks, 0);
                for (var i = 0; i < count; i++)
                {
                    _pool.Return(_batch[i]);
                    _batch[i] = null!;
                }
            }
        }
    }

    private void Deliver(int index, long start, long end)
    {
        var clip = _batch[index];
        // A window of a camera removed since, whose slot a new camera took, is none of the new camera's business. The slot's
        // name changes first, before its consumers forget the removed camera (CameraSlots.Reused), and its counters later
        // (Pipeline.Forget): either tells.
        if (clip.Camera is null || clip.Camera != Volatile.Read(ref _stats[clip.CameraIndex])
            || !string.Equals(clip.Camera.Name, _slots.Name(clip.CameraIndex), StringComparison.Ordinal)) return;
        var result = _results[index];
        result.CameraIndex = clip.CameraIndex;
        result.Camera = clip.Camera.Name;
        result.Sequence = clip.Sequence;
        result.FrameTicks = clip.FrameTicks;
        result.Signals = clip.Signals;
        result.EnqueuedTicks = clip.EnqueuedTicks;
        result.InferenceStartTicks = start;
        result.InferenceEndTicks = end;
        result.Embedding = _runner.Embedding(index);
        result.Tokens = _runner.Tokens(index);
        result.Score = null;
        result.AnomalyMap = ReadOnlyMemory<float>.Empty;
        result.WorstFrame = clip.Shape.Frames - 1;
        result.Thumbnails = clip.ThumbnailWidth > 0 ? clip.Thumbnails : ReadOnlyMemory<byte>.Empty;
        result.ThumbnailWidth = clip.ThumbnailWidth;
        result.ThumbnailHeight = clip.ThumbnailHeight;
        Score(result, clip.Camera);
        _sinks.Deliver(result, static (sink, window) => sink.OnWindow(window));
        clip.Camera.WindowScored(clip.NewestFrameTicks, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// A scorer that throws (a damaged profile, a bug) costs that window its score, not the inference thread and
    /// with it the agent: the window goes on to the sinks unscored, the failure is counted and shown on its camera.
    /// </summary>
    private void Score(WindowResult result, CameraStats camera)
    {
        if (_scorer is null) return;
        try
        {
            _scorer.Score(result);
        }
        catch (Exception e)
        {
            result.Score = null;
            result.AnomalyMap = ReadOnlyMemory<float>.Empty;
            Interlocked.Increment(ref _scoringFailures);
            camera.Error($"scoring failed: {e.Message}");
            _logger.LogError(e, "Scoring a window of camera {Camera} failed", camera.Name);
        }
    }

    public void Stop(TimeSpan timeout) => _loop.Stop(timeout);

    public void Dispose() => _loop.Dispose();
}
