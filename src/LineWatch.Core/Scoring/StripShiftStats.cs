using LineWatch.Capture;

namespace LineWatch.Scoring;

/// <summary>
/// The normal shift of each strip of the grid (its G rows, then its G columns) between analysed frames, by phase
/// correlation (<see cref="FrameSignals.RowShift"/>): a weighted sum of windows' mean shifts, so feedback can add
/// windows later as it does to <see cref="MotionStats"/>.
/// </summary>
public sealed class StripShiftStats
{
    public StripShiftStats(int grid) : this(grid, 0, new double[4 * grid]) { }

    internal StripShiftStats(int grid, double count, double[] sum)
    {
        if (sum.Length != 4 * grid) throw new ArgumentException($"{sum.Length} sums for a {grid} x {grid} grid's {2 * grid} strips; expected {4 * grid}");
        Grid = grid;
        Count = count;
        Sum = sum;
    }

    public int Grid { get; }
    public double Count { get; private set; }
    internal double[] Sum { get; }

    /// <summary>Adds a window: (T, K) frame signals, oldest first; the oldest frame's shift leads in from outside the window and is left out.</summary>
    public void Add(ReadOnlySpan<float> signals, double weight = 1)
    {
        var stride = FrameSignals.Length(Grid);
        var frames = signals.Length / stride;
        if (frames < 2) return;
        var first = FrameSignals.RowShift(Grid, 0);
        for (var t = 1; t < frames; t++)
        {
            var shifts = signals.Slice(t * stride + first, 4 * Grid);
            for (var i = 0; i < Sum.Length; i++) Sum[i] += weight * shifts[i] / (frames - 1);
        }
        Count += weight;
    }

    /// <summary>Strip <paramref name="strip"/>'s normal (dx, dy) per analysed frame (strips 0..G-1 are rows, G..2G-1 columns); (0, 0) before any window.</summary>
    public (double Dx, double Dy) Mean(int strip) => Count > 0 ? (Sum[2 * strip] / Count, Sum[2 * strip + 1] / Count) : (0, 0);
}
