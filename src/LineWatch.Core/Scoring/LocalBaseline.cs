namespace LineWatch.Scoring;

/// <summary>
/// The local channel's recent level per patch position, so that a slow change of conditions the learning day
/// never showed (the hall's light drifting past its learned range, a noisier sensor) is not read as a fault
/// while a sudden one still is. Per position it keeps the local distances of the last
/// <see cref="HistorySeconds"/>, and takes their median over all but the newest <see cref="LagSeconds"/> (so a
/// fault's own first seconds never raise the level it is compared with). Where that median exceeds the
/// position's typical distance on the learning day, the excess is subtracted from the position's distance, but
/// never more than <see cref="MaxCorrection"/> thresholds: conditions matching the learning day change nothing,
/// and an anomaly far beyond what drift produces keeps alerting however long it lasts. Windows must come in
/// time order; nothing is allocated per window.
/// </summary>
public sealed class LocalBaseline
{
    /// <summary>How far back the level looks: long enough that a 4-10 s fault is a minority of it.</summary>
    public const double HistorySeconds = 25;

    /// <summary>The newest windows left out of the level: a fault alerts within them (3 windows at 2 per second).</summary>
    public const double LagSeconds = 5;

    /// <summary>The largest correction, in local thresholds: drift measured on the tuning scenes raised
    /// distances by up to about one threshold, while hands, foreign objects and fallen parts reach several.</summary>
    public const double MaxCorrection = 1;

    private readonly int _positions, _capacity, _lag, _minimum;
    private readonly float[] _history; // ring of windows, each _positions distances
    private readonly float[] _sorted;
    private int _next, _count;

    public LocalBaseline(int positions, double windowsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(positions, 1);
        if (!(windowsPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(windowsPerSecond), "the window rate must be positive");
        _positions = positions;
        _lag = Math.Max(1, (int)Math.Round(LagSeconds * windowsPerSecond));
        _capacity = _lag + Math.Max(3, (int)Math.Round((HistorySeconds - LagSeconds) * windowsPerSecond));
        _minimum = _lag + Math.Max(3, (int)Math.Round(LagSeconds * windowsPerSecond));
        _history = new float[_capacity * positions];
        _sorted = new float[_capacity];
    }

    /// <summary>
    /// Records this window's raw distances and lowers them, in place, by the recent excess over
    /// <paramref name="typical"/> (the learning day's distance per position), capped at
    /// <see cref="MaxCorrection"/> × <paramref name="threshold"/>.
    /// </summary>
    public void Correct(Span<float> distances, ReadOnlySpan<float> typical, double threshold)
    {
        if (distances.Length != _positions || typical.Length != _positions) throw new ArgumentException($"expected {_positions} positions");
        distances.CopyTo(_history.AsSpan(_next * _positions, _positions));
        _next = (_next + 1) % _capacity;
        _count = Math.Min(_count + 1, _capacity);
        if (_count < _minimum) return;
        // The window just added is the newest; the level uses the ones before the newest _lag.
        var usable = _count - _lag;
        var cap = (float)(MaxCorrection * threshold);
        for (var p = 0; p < _positions; p++)
        {
            var values = _sorted.AsSpan(0, usable);
            for (var k = 0; k < usable; k++)
            {
                var slot = ((_next - 1 - _lag - k) % _capacity + _capacity) % _capacity;
                values[k] = _history[slot * _positions + p];
            }
            values.Sort();
            var level = usable % 2 == 1 ? values[usable / 2] : (values[usable / 2 - 1] + values[usable / 2]) / 2;
            var excess = Math.Clamp(level - typical[p], 0, cap);
            distances[p] -= excess;
        }
    }
}
