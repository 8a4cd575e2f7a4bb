namespace LineWatch.Agent.Benchmarks;

/// <summary>Timings of repeated runs, summarised by order statistics (medians resist this machine's noise better than means).</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(double value) => _values.Add(value);

    public double Median => Percentile(50);

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double p)
    {
        if (_values.Count == 0) return double.NaN;
        var sorted = _values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
