using System.Diagnostics;
using LineWatch.Diagnostics;

namespace LineWatch.Processing;

public enum CameraState
{
    /// <summary>Opening the source.</summary>
    Connecting,
    /// <summary>Frames are arriving.</summary>
    Streaming,
    /// <summary>Open, but no frame within the watchdog time; a reconnect follows.</summary>
    Stalled,
    /// <summary>Could not be opened (or was rejected); retried with backoff.</summary>
    Offline,
}

/// <summary>
/// Counters and state of one camera, written by its capture thread and the inference thread and read by
/// anyone (health, metrics, MQTT). Counters are monotonic; rates are derived by the reader.
/// </summary>
public sealed class CameraStats(string name)
{
    private long _framesIn, _framesAnalysed, _framesSkipped, _clipsQueued, _clipsDropped, _windowsScored;
    private long _reconnects, _stalls, _errors, _lastFrameTicks;
    private int _state = (int)CameraState.Connecting;
    private string? _lastError;

    public string Name { get; } = name;
    public CameraState State => (CameraState)Volatile.Read(ref _state);

    /// <summary>Frames decoded from the source.</summary>
    public long FramesIn => Interlocked.Read(ref _framesIn);
    /// <summary>Frames taken into the window (at the analysis rate).</summary>
    public long FramesAnalysed => Interlocked.Read(ref _framesAnalysed);
    /// <summary>Decoded frames passed over by the sampler because a newer one was due.</summary>
    public long FramesSkipped => Interlocked.Read(ref _framesSkipped);
    public long ClipsQueued => Interlocked.Read(ref _clipsQueued);
    /// <summary>Clips dropped from a full inference queue.</summary>
    public long ClipsDropped => Interlocked.Read(ref _clipsDropped);
    public long WindowsScored => Interlocked.Read(ref _windowsScored);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long Stalls => Interlocked.Read(ref _stalls);
    /// <summary>Open or decode failures, each with <see cref="LastError"/>.</summary>
    public long Errors => Interlocked.Read(ref _errors);
    public string? LastError => Volatile.Read(ref _lastError);
    public long LastFrameTicks => Interlocked.Read(ref _lastFrameTicks);

    /// <summary>Capture-to-score latency of recent windows.</summary>
    public LatencyWindow Latency { get; } = new(512);

    internal void SetState(CameraState state) => Volatile.Write(ref _state, (int)state);
    internal void FrameIn(long ticks)
    {
        Interlocked.Increment(ref _framesIn);
        Interlocked.Exchange(ref _lastFrameTicks, ticks);
    }
    internal void FrameAnalysed() => Interlocked.Increment(ref _framesAnalysed);
    internal void FrameSkipped() => Interlocked.Increment(ref _framesSkipped);
    internal void ClipQueued() => Interlocked.Increment(ref _clipsQueued);
    internal void ClipDropped() => Interlocked.Increment(ref _clipsDropped);
    internal void Reconnected() => Interlocked.Increment(ref _reconnects);
    internal void Stalled() => Interlocked.Increment(ref _stalls);
    internal void Error(string message)
    {
        Interlocked.Increment(ref _errors);
        Volatile.Write(ref _lastError, message);
    }

    internal void WindowScored(long newestFrameTicks, long scoredTicks)
    {
        Interlocked.Increment(ref _windowsScored);
        Latency.Add(Stopwatch.GetElapsedTime(newestFrameTicks, scoredTicks).TotalMilliseconds);
    }
}

/// <summary>
/// The last N samples of a latency, for percentiles; neither recording nor reading allocates (the status line,
/// dashboard and MQTT read several percentiles of every camera each second).
/// </summary>
public sealed class LatencyWindow(int capacity)
{
    private readonly double[] _samples = new double[capacity];
    private readonly double[] _sorted = new double[capacity];
    private readonly Lock _lock = new();
    private long _count;

    public long Count
    {
        get
        {
            lock (_lock) return _count;
        }
    }

    public void Add(double milliseconds)
    {
        lock (_lock) _samples[_count++ % _samples.Length] = milliseconds;
    }

    /// <summary>Forgets the samples (a benchmark starts measuring after its warm-up).</summary>
    public void Clear()
    {
        lock (_lock) _count = 0;
    }

    /// <summary>Nearest-rank percentile of the samples held, or NaN when there are none.</summary>
    public double Percentile(double p)
    {
        lock (_lock)
        {
            var held = (int)Math.Min(_count, _samples.Length);
            if (held == 0) return double.NaN;
            var sorted = _sorted.AsSpan(0, held);
            _samples.AsSpan(0, held).CopyTo(sorted);
            sorted.Sort();
            return sorted[NearestRank.Index(p, held)];
        }
    }
}
