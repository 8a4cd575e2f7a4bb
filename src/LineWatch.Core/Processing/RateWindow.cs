namespace LineWatch.Processing;

/// <summary>
/// Per-second rates of a set of monotonic counters (frames in, frames analysed per camera) over the last
/// <c>span</c> of time, however often they are read: the status timer reads them every second, but MQTT and the
/// dashboard also take snapshots of their own (several at once when an alert starts), and a window counted in
/// readings would shrink to a few milliseconds and read zero. Readings closer together than a fiftieth of the
/// span are not kept, so the memory is bounded whatever the readers do.
/// </summary>
public sealed class RateWindow(TimeSpan span, TimeProvider time)
{
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(0.5);
    private readonly TimeSpan _keepEvery = span / 50;
    private readonly LinkedList<(long Timestamp, long[] Counters)> _samples = new();

    /// <summary>
    /// The rate of each counter since the reading <c>span</c> ago (or the first one, early on); 0 while less than
    /// half a second of readings exists.
    /// </summary>
    public double[] Rates(long[] counters)
    {
        lock (_samples)
        {
            var now = time.GetTimestamp();
            // The base is the newest reading at least a span old; older ones are no longer needed.
            while (_samples.First?.Next is { } second && time.GetElapsedTime(second.Value.Timestamp, now) >= span) _samples.RemoveFirst();
            var rates = new double[counters.Length];
            if (_samples.First is { } first && time.GetElapsedTime(first.Value.Timestamp, now) is var elapsed && elapsed >= Shortest)
            {
                // A counter below its base started again from zero (a new camera took the slot): no rate until the base is past that.
                for (var i = 0; i < counters.Length; i++) rates[i] = Math.Max(0, counters[i] - first.Value.Counters[i]) / elapsed.TotalSeconds;
            }
            if (_samples.Last is not { } last || time.GetElapsedTime(last.Value.Timestamp, now) >= _keepEvery) _samples.AddLast((now, counters));
            return rates;
        }
    }
}
