using LineWatch.Capture;

namespace LineWatch.Scoring;

/// <summary>
/// The line's speed as the strip along the belt reads it by phase correlation (<see cref="FrameSignalProbe"/>), as a
/// fraction of its normal shift, minus one (0 = normal, -1 = stopped, -2 = backwards at normal speed): per frame pair
/// the shift projected on the normal one, per window the median of its pairs, so one pair whose peak jumped to a
/// part's neighbour does not move it. <see cref="LineSpeed"/> reads the same from Farneback's flow, which shrinks
/// in noise and stops following a fast belt; this one is blind to what moves inside a region (a part missing from
/// the rhythm shifts the strip as its neighbours do), so the two go side by side (docs/scoring.md).
/// <para>The strip is the row of regions (or the column, for a belt running more up or down than across) that holds
/// the most of <see cref="LineSpeed.Belt"/>'s regions, ties going to the larger normal shift: a strip the belt only
/// crosses is mostly what stays put, and its correlation peak sits between the two. A strip whose normal shift is
/// under <see cref="LineSpeed.MinBeltPixels"/> measures nothing.</para>
/// </summary>
public sealed class BeltShift
{
    private readonly int _offset = -1; // where the strip's (dx, dy) is in a frame's signals; -1: none
    private readonly int _grid;
    private readonly double _nx, _ny;
    private readonly int[] _regions = []; // the belt regions in the strip

    public BeltShift(int grid, ReadOnlySpan<int> belt, MotionModel motion, StripShiftStats strips)
    {
        _grid = grid;
        if (belt.IsEmpty) return;
        var rows = LineSpeed.RunsAcross(belt, motion);
        var (best, bestCount, bestShift) = (-1, 0, 0.0);
        for (var s = 0; s < grid; s++)
        {
            var count = 0;
            foreach (var r in belt) count += (rows ? r / grid : r % grid) == s ? 1 : 0;
            var (dx, dy) = strips.Mean(rows ? s : grid + s);
            var shift = Math.Sqrt(dx * dx + dy * dy);
            if (count > bestCount || count == bestCount && count > 0 && shift > bestShift) (best, bestCount, bestShift) = (s, count, shift);
        }
        if (best < 0 || bestShift < LineSpeed.MinBeltPixels) return;
        (_nx, _ny) = strips.Mean(rows ? best : grid + best);
        _offset = rows ? FrameSignals.RowShift(grid, best) : FrameSignals.ColumnShift(grid, best);
        var regions = new List<int>();
        foreach (var r in belt)
        {
            if ((rows ? r / grid : r % grid) == best) regions.Add(r);
        }
        _regions = regions.ToArray();
    }

    /// <summary>The belt regions in the strip measured (none when nothing is).</summary>
    public ReadOnlySpan<int> Regions => _regions;

    /// <summary>The window's change of the strip's shift as a fraction of normal; 0 when no strip is measured or
    /// <paramref name="scored"/> (empty: all) keeps none of its belt regions.</summary>
    /// <param name="signals">(T, K) frame signals, oldest first; the oldest frame's shift leads in from outside the window and is left out.</param>
    public double Change(ReadOnlySpan<float> signals, ReadOnlySpan<bool> scored = default)
    {
        if (_offset < 0) return 0;
        if (!scored.IsEmpty)
        {
            var any = false;
            foreach (var r in _regions) any |= scored[r];
            if (!any) return 0;
        }
        var stride = FrameSignals.Length(_grid);
        var frames = signals.Length / stride;
        if (frames < 2) return 0;
        Span<double> changes = stackalloc double[frames - 1];
        var normal = _nx * _nx + _ny * _ny;
        for (var t = 1; t < frames; t++)
        {
            var shift = signals.Slice(t * stride + _offset, 2);
            changes[t - 1] = (shift[0] * _nx + shift[1] * _ny) / normal - 1;
        }
        changes.Sort();
        var middle = changes.Length / 2;
        return changes.Length % 2 == 1 ? changes[middle] : (changes[middle - 1] + changes[middle]) / 2;
    }
}
