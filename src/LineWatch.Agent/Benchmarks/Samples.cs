using LineWatch.Diagnostics;

namespace LineWatch.Agent.Benchmarks;

/// <summary>Timings of repeated runs, summarised by order statistics (medians resist this machine's noise better than means).</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(double value) => _values.Add(value);

    public double Median => Percentile(50);

    public double Percentile(double p) => NearestRank.Percentile(_values, p);
}
