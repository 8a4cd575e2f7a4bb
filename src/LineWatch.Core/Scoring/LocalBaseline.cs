namespace LineWatch.Scoring;

/// <summary>
/// The local channel's recent level per patch position, so that a slow change of conditions the learning day
/// never showed (the hall's light drifting past its learned range, a noisier sensor) is not read as a fault
/// while a sudden one still is. Where a position's <see cref="RecentLevel"/> exceeds its typical distance on the
/// learning day, the excess is subtracted from the position's distance, but never more than
/// <see cref="MaxCorrection"/> thresholds: conditions matching the learning day change nothing, and an anomaly far
/// beyond what drift produces keeps alerting however long it lasts.
/// </summary>
public sealed class LocalBaseline(int positions, double windowsPerSecond)
{
    /// <summary>The largest correction, in local thresholds: drift measured on the tuning scenes raised
    /// distances by up to about one threshold, while hands, foreign objects and fallen parts reach several.</summary>
    public const double MaxCorrection = 1;

    private readonly RecentLevel _level = new(positions, windowsPerSecond);

    /// <summary>
    /// Records this window's raw distances and lowers them, in place, by the recent excess over
    /// <paramref name="typical"/> (the learning day's distance per position), capped at
    /// <see cref="MaxCorrection"/> × <paramref name="threshold"/>.
    /// </summary>
    public void Correct(Span<float> distances, ReadOnlySpan<float> typical, double threshold)
    {
        if (distances.Length != _level.Width || typical.Length != _level.Width) throw new ArgumentException($"expected {_level.Width} positions");
        if (!_level.Add(distances)) return;
        var cap = (float)(MaxCorrection * threshold);
        for (var p = 0; p < distances.Length; p++) distances[p] -= Math.Clamp(_level.Level(p) - typical[p], 0, cap);
    }
}
