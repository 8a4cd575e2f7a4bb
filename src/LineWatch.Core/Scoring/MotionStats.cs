using LineWatch.Capture;

namespace LineWatch.Scoring;

/// <summary>
/// Normal motion of a camera's regions: for each region of the G x G grid, the mean and variance of its signed
/// optical flow (dx, dy) averaged over a window, kept as weighted sums so feedback can add windows later.
/// A window is scored by how far its regions' flow lies from normal in standard deviations, with every standard
/// deviation at least <see cref="FloorPixels"/>: a camera learned on a steady day shows a belt's flow varying by
/// a few hundredths of a pixel, and a little more shake or compression noise must not read as a fault, while a
/// belt that stops, reverses or changes speed moves by a pixel or more. The score is the root mean square over
/// the worst sixth of the regions (at least one), so a fault confined to a few regions (a hand, a missing part)
/// counts as much as one spread along the belt, and noise scattered over single regions does not add up.
/// </summary>
public sealed class MotionStats
{
    /// <summary>Flow differences below this (pixels of the model's input per analysed frame) are noise. Camera
    /// shake of a few pixels on the camera's picture is a few tenths of a pixel at the model's input, and where a
    /// picture is flat, a change of light moves what little texture compression leaves: on level-2 footage a grey
    /// corner read 1.1-1.2 px over a window and a dim belt's plain edges 0.7-1.2 px slow, learned within 0.02-0.1 px.
    /// With 0.2 px those gave five of the seven false alarms in 12.7 normal hours over fifteen scenes; with 0.4 px
    /// none, and no fault of thirteen types was caught later (docs/benchmarks.md), since a stopped, reversed or fast
    /// belt still lands many floors away and what moves where nothing should also changes how the picture looks.</summary>
    public const double FloorPixels = 0.4;

    public MotionStats(int grid) : this(grid, 0, new double[2 * grid * grid], new double[2 * grid * grid]) { }

    internal MotionStats(int grid, double count, double[] sum, double[] squares)
    {
        Grid = grid;
        Count = count;
        Sum = sum;
        Squares = squares;
    }

    public int Grid { get; }
    public double Count { get; private set; }
    internal double[] Sum { get; }
    internal double[] Squares { get; }
    private int Dim => 2 * Grid * Grid;

    /// <summary>A window's flow per region (2 G² values), the mean over its frames of each frame's flow from the one before.</summary>
    /// <param name="signals">(T, K) frame signals, oldest first; the oldest frame's flow leads in from outside the window and is left out.</param>
    public static void WindowFlow(ReadOnlySpan<float> signals, int grid, Span<float> flow)
    {
        var stride = FrameSignals.Length(grid);
        var frames = signals.Length / stride;
        var dim = 2 * grid * grid;
        flow[..dim].Clear();
        if (frames < 2) return;
        for (var t = 1; t < frames; t++)
        {
            var frame = signals.Slice(t * stride, dim);
            for (var i = 0; i < dim; i++) flow[i] += frame[i];
        }
        for (var i = 0; i < dim; i++) flow[i] /= frames - 1;
    }

    public void Add(ReadOnlySpan<float> flow, double weight = 1)
    {
        if (flow.Length != Dim) throw new ArgumentException($"flow of {flow.Length} values, expected {Dim}");
        Count += weight;
        for (var i = 0; i < Dim; i++)
        {
            Sum[i] += weight * flow[i];
            Squares[i] += weight * flow[i] * flow[i];
        }
    }

    /// <summary>Means and floored inverse variances, for scoring.</summary>
    public MotionModel Fit()
    {
        if (Count < 2) throw new InvalidOperationException($"need at least 2 windows to fit motion, have {Count}");
        var mean = new float[Dim];
        var precision = new float[Dim];
        for (var i = 0; i < Dim; i++)
        {
            var m = Sum[i] / Count;
            var variance = Math.Max(0, (Squares[i] - Count * m * m) / (Count - 1));
            mean[i] = (float)m;
            precision[i] = (float)(1 / Math.Max(variance, FloorPixels * FloorPixels));
        }
        return new MotionModel(Grid, mean, precision);
    }
}

/// <summary>A fitted <see cref="MotionStats"/>: scores a window's flow in (floored) standard deviations.</summary>
public sealed class MotionModel(int grid, float[] mean, float[] precision)
{
    public int Grid => grid;

    /// <summary>Flow component <paramref name="i"/>'s normal mean (component 2r is region r's dx, 2r + 1 its dy).</summary>
    public float Mean(int i) => mean[i];

    /// <summary>Flow component <paramref name="i"/>'s normal standard deviation, floored.</summary>
    public float Deviation(int i) => 1 / MathF.Sqrt(precision[i]);

    /// <summary>How many of the worst regions the score averages over, of <paramref name="regions"/> scored ones.</summary>
    public static int Worst(int regions) => Math.Max(1, regions / 6);

    /// <summary>
    /// The window's distance from normal motion; <paramref name="regions"/> (G² values) receives each region's
    /// own distance (root mean square of its two components, in standard deviations), 0 where
    /// <paramref name="scored"/> (empty: every region) leaves the region out.
    /// </summary>
    public double Score(ReadOnlySpan<float> flow, Span<float> regions, ReadOnlySpan<bool> scored = default)
    {
        var count = grid * grid;
        Span<float> sorted = stackalloc float[count];
        var kept = 0;
        for (var r = 0; r < count; r++)
        {
            if (!scored.IsEmpty && !scored[r])
            {
                regions[r] = 0;
                continue;
            }
            var dx = flow[2 * r] - mean[2 * r];
            var dy = flow[2 * r + 1] - mean[2 * r + 1];
            regions[r] = MathF.Sqrt((dx * dx * precision[2 * r] + dy * dy * precision[2 * r + 1]) / 2);
            sorted[kept++] = regions[r];
        }
        if (kept == 0) return 0;
        // The mean square of the worst largest scored region distances.
        var worst = Worst(kept);
        sorted = sorted[..kept];
        sorted.Sort();
        double total = 0;
        for (var i = kept - worst; i < kept; i++) total += sorted[i] * (double)sorted[i];
        return Math.Sqrt(total / worst);
    }
}
