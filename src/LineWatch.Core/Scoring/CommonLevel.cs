namespace LineWatch.Scoring;

/// <summary>
/// Takes out of a window's local distances the rise that most of the picture shares. A jolt of the camera, a burst
/// of compression or a step of exposure lifts the distances of the whole grid at once (on scene 114's rougher
/// footage a jolt put the belt's edges at 3-4 times their learned spread within one second), while a part or an
/// object that does not belong lifts a few positions. So the excess over the learning day's typical level that
/// three quarters of the positions reach is subtracted from every position, at most one threshold. Faults that
/// change the whole picture (lights, smoke) are the lighting channel's, which measures the raw frames.
/// </summary>
public static class CommonLevel
{
    /// <summary>The share of positions whose excess counts as common: the excess at this quantile is removed.</summary>
    public const double Quantile = 0.75;

    /// <summary>The fewest positions it judges: on a coarser grid one object covers most of the picture, and what
    /// the positions share cannot be told from a fault.</summary>
    public const int MinPositions = 9;

    /// <summary>The largest correction, in local thresholds, as for <see cref="LocalBaseline"/>: a fault that lifts
    /// the whole picture further than that still alerts.</summary>
    public const double MaxCorrection = 1;

    /// <summary>
    /// Lowers <paramref name="distances"/> in place by the excess over <paramref name="typical"/> that the
    /// <see cref="Quantile"/> of positions reach, capped at <paramref name="cap"/>; returns what was removed (nothing
    /// on a grid of fewer than <see cref="MinPositions"/> positions).
    /// </summary>
    /// <param name="scratch">Room for as many floats as there are positions.</param>
    public static float Remove(Span<float> distances, ReadOnlySpan<float> typical, float cap, Span<float> scratch)
    {
        if (typical.Length != distances.Length || scratch.Length < distances.Length) throw new ArgumentException($"expected {distances.Length} typical values and as much scratch");
        if (distances.Length < MinPositions) return 0;
        var excess = scratch[..distances.Length];
        for (var p = 0; p < distances.Length; p++) excess[p] = distances[p] - typical[p];
        excess.Sort();
        var common = Math.Clamp(excess[(int)(Quantile * (excess.Length - 1))], 0, cap);
        if (common > 0)
        {
            for (var p = 0; p < distances.Length; p++) distances[p] -= common;
        }
        return common;
    }
}
