namespace LineWatch.Diagnostics;

/// <summary>Nearest-rank percentiles: always one of the observed values, NaN when there are none.</summary>
public static class NearestRank
{
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted[Index(p, sorted.Length)];
    }

    /// <summary>Where the <paramref name="p"/>th percentile lies among <paramref name="count"/> sorted values (count > 0).</summary>
    public static int Index(double p, int count) => Math.Clamp((int)Math.Ceiling(p / 100 * count) - 1, 0, count - 1);
}
