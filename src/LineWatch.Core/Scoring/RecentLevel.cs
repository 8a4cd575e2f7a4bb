namespace LineWatch.Scoring;

/// <summary>
/// A camera's recent level of a vector of per-window values (local distances per position, flow per region):
/// it keeps the values of the last <see cref="HistorySeconds"/> and gives, per element, their median over all but
/// the newest <see cref="LagSeconds"/>, so that a fault's own first seconds never become the level it is compared
/// with, and a fault of 4-10 s stays a minority of it. Windows must come in time order; nothing is allocated per
/// window.
/// </summary>
public sealed class RecentLevel
{
    /// <summary>How far back the level looks: long enough that a 4-10 s fault is a minority of it.</summary>
    public const double HistorySeconds = 25;

    /// <summary>The newest windows left out of the level: a fault alerts within them (3 windows at 2 per second).</summary>
    public const double LagSeconds = 5;

    private readonly int _width, _capacity, _lag, _minimum;
    private readonly float[] _history; // ring of windows, each _width values
    private readonly float[] _sorted;
    private int _next, _count;

    public RecentLevel(int width, double windowsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!(windowsPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(windowsPerSecond), "the window rate must be positive");
        _width = width;
        _lag = Math.Max(1, (int)Math.Round(LagSeconds * windowsPerSecond));
        _capacity = _lag + Math.Max(3, (int)Math.Round((HistorySeconds - LagSeconds) * windowsPerSecond));
        _minimum = _lag + Math.Max(3, (int)Math.Round(LagSeconds * windowsPerSecond));
        _history = new float[_capacity * width];
        _sorted = new float[_capacity];
    }

    public int Width => _width;

    /// <summary>Records a window's values; true once enough windows lie beyond the lag for <see cref="Level"/>.</summary>
    public bool Add(ReadOnlySpan<float> values)
    {
        if (values.Length != _width) throw new ArgumentException($"expected {_width} values, got {values.Length}");
        values.CopyTo(_history.AsSpan(_next * _width, _width));
        _next = (_next + 1) % _capacity;
        _count = Math.Min(_count + 1, _capacity);
        return _count >= _minimum;
    }

    /// <summary>Element <paramref name="k"/>'s median over the recorded windows older than the lag.</summary>
    public float Level(int k)
    {
        var usable = _count - _lag;
        if (usable < 1) throw new InvalidOperationException("no window older than the lag yet");
        var values = _sorted.AsSpan(0, usable);
        for (var i = 0; i < usable; i++)
        {
            var slot = ((_next - 1 - _lag - i) % _capacity + _capacity) % _capacity;
            values[i] = _history[slot * _width + k];
        }
        values.Sort();
        return usable % 2 == 1 ? values[usable / 2] : (values[usable / 2 - 1] + values[usable / 2]) / 2;
    }
}
