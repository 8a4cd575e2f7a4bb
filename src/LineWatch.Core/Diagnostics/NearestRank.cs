namespace LineWatch.Diagnostics;

/// <summary>Nearest-rank percentiles: always one of the observed values, NaN when there are none.</summary>
public static class NearestRank
{
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
