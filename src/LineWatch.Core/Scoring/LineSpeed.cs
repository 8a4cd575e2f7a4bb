namespace LineWatch.Scoring;

/// <summary>
/// How fast the line runs compared with normal: the window's flow over the regions the belt crosses, projected on
/// their normal flow, as a fraction of it (1 = normal speed, 0 = stopped, -1 = backwards). The per-region motion
/// score weighs a few regions' noise like a fault; summed over the whole belt, the noise cancels while a change of
/// speed adds up, so a belt at half speed or a gap in the parts, which per region hardly leave the noise
/// (0.4-0.8 motion thresholds on the scenes measured), stand out (docs/scoring.md). The belt's regions are those
/// whose normal flow is at least half the largest; a camera whose largest normal flow is under
/// <see cref="MinBeltPixels"/> has no belt, and no line speed.
/// </summary>
public sealed class LineSpeed
{
    /// <summary>Flow (pixels of the model's input per analysed frame) below which a camera has no moving line to
    /// measure: its normal flow averaged over a window, where shake and noise average out, so well under the motion
    /// channel's floor for a single window's deviation.</summary>
    public const double MinBeltPixels = 0.3;

    private readonly int[] _belt;
    private readonly float[] _normal; // the belt regions' normal (dx, dy)

    public LineSpeed(MotionModel model)
    {
        var regions = model.Grid * model.Grid;
        var speed = new double[regions];
        for (var r = 0; r < regions; r++) speed[r] = Math.Sqrt(Square(model.Mean(2 * r)) + Square(model.Mean(2 * r + 1)));
        var fastest = speed.Max();
        _belt = fastest < MinBeltPixels ? [] : Enumerable.Range(0, regions).Where(r => speed[r] >= fastest / 2).ToArray();
        _normal = _belt.SelectMany(r => new[] { model.Mean(2 * r), model.Mean(2 * r + 1) }).ToArray();
    }

    /// <summary>Whether the belt runs more across the picture than up or down it (its regions' normal flow summed), so
    /// that rows of regions lie along it rather than columns.</summary>
    public static bool RunsAcross(ReadOnlySpan<int> belt, MotionModel motion)
    {
        double across = 0, down = 0;
        foreach (var r in belt)
        {
            across += Math.Abs(motion.Mean(2 * r));
            down += Math.Abs(motion.Mean(2 * r + 1));
        }
        return across >= down;
    }

    /// <summary>The regions the belt crosses (none when the camera has no moving line).</summary>
    public ReadOnlySpan<int> Belt => _belt;

    /// <summary>The window's line speed as a fraction of normal, minus one, over the belt regions
    /// <paramref name="scored"/> keeps (empty: all); 0 when the camera has no belt or none of it is scored.</summary>
    public double Change(ReadOnlySpan<float> flow, ReadOnlySpan<bool> scored = default)
    {
        double along = 0, normal = 0;
        for (var i = 0; i < _belt.Length; i++)
        {
            var r = _belt[i];
            if (!scored.IsEmpty && !scored[r]) continue;
            var (nx, ny) = ((double)_normal[2 * i], (double)_normal[2 * i + 1]);
            along += flow[2 * r] * nx + flow[2 * r + 1] * ny;
            normal += nx * nx + ny * ny;
        }
        return normal > 0 ? along / normal - 1 : 0;
    }

    private static double Square(double v) => v * v;
}
