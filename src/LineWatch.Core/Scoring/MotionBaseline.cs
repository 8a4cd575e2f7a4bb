namespace LineWatch.Scoring;

/// <summary>
/// The motion channel's recent level per region and flow component. Measured flow depends on the picture as well
/// as on the motion: under the flicker, noise and compression of level-2 footage, optical flow read two scenes'
/// belts 13-15% slower than on their learning days, for the whole video, which held the motion channel at its
/// threshold (docs/scoring.md). Where a component's <see cref="RecentLevel"/> lies off its learned mean, a window's
/// deviation on the same side is shrunk by that offset, capped at <see cref="MaxCorrection"/> motion thresholds of the
/// component's standard deviation. Shrunk, never moved past the mean and never enlarged: after a long stop the
/// level is "stopped", and subtracting it would make the belt's restart read as a fault; conditions matching the
/// learning day change nothing, and a belt stopping or reversing (tens of standard deviations) keeps alerting.
/// </summary>
public sealed class MotionBaseline(int regions, double windowsPerSecond)
{
    /// <summary>The largest correction, in motion thresholds of each component's standard deviation (as for
    /// <see cref="LocalBaseline.MaxCorrection"/>).</summary>
    public const double MaxCorrection = 1;

    private readonly RecentLevel _level = new(2 * regions, windowsPerSecond);

    /// <summary>Records the window's flow (2 values per region) and shrinks its deviations, in place, as described above.
    /// Returns false while there is no recent level yet (the first <see cref="RecentLevel"/> seconds after a start): the
    /// flow is then left as measured.</summary>
    /// <param name="threshold">The profile's motion threshold (in standard deviations).</param>
    public bool Correct(Span<float> flow, MotionModel model, double threshold)
    {
        if (flow.Length != _level.Width) throw new ArgumentException($"expected {_level.Width} flow values, got {flow.Length}");
        if (!_level.Add(flow)) return false;
        for (var i = 0; i < flow.Length; i++)
        {
            var mean = model.Mean(i);
            var cap = (float)(MaxCorrection * threshold * model.Deviation(i));
            var offset = Math.Clamp(_level.Level(i) - mean, -cap, cap);
            var deviation = flow[i] - mean;
            if (offset * deviation > 0) flow[i] = mean + MathF.CopySign(Math.Max(Math.Abs(deviation) - Math.Abs(offset), 0), deviation);
        }
        return true;
    }
}
