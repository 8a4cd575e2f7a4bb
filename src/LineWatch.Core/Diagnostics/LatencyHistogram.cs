namespace LineWatch.Diagnostics;

/// <summary>
/// Cumulative counts of durations in fixed buckets, as Prometheus histograms expose them; lock-free to record
/// (one thread records, any thread reads).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds in milliseconds; the implicit last bucket is +Inf.</summary>
    public static readonly double[] BoundsMs = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

    private readonly long[] _counts = new long[BoundsMs.Length + 1];
    private long _sumMicroseconds;

    public void Record(double milliseconds)
    {
        var bucket = 0;
        while (bucket < BoundsMs.Length && milliseconds > BoundsMs[bucket]) bucket++;
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicroseconds, (long)(milliseconds * 1000));
    }

    /// <summary>Observations at or below each bound (cumulative), the last being the total count.</summary>
    public long[] Cumulative()
    {
        var result = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++) result[i] = running += Interlocked.Read(ref _counts[i]);
        return result;
    }

    public double SumMs => Interlocked.Read(ref _sumMicroseconds) / 1000.0;
}
