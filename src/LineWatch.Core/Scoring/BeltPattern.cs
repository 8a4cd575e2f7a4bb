using LineWatch.Capture;

namespace LineWatch.Scoring;

/// <summary>
/// The belt's pattern: a line repeats, so each stretch of the belt should look like the stretch one period ahead and
/// the one a period behind. Per analysed frame, the belt's profile along its length (the strips it runs in, from
/// <see cref="FrameSignals.Profile"/>, weighed by how many of the belt's regions each holds, as a percentage of its
/// mean) is compared at every position with itself one period ahead and behind (the closer of a pixel either side,
/// for parts that are not placed exactly), and the smaller of the two differences is kept: a missing, doubled or
/// turned part differs from both its neighbours, a normal part beside it from one only. The differences are divided by
/// their median over the frame, so noise, compression or a dim phase that lifts every position together is taken
/// out. Each position is counted in its own learned spread; a frame's score is its worst position and a window's the
/// mean of its frames'. Wafer inspection compares each die with its neighbours the same way: no model of what a part
/// looks like is needed, and light, shake and compression that neighbours share cancel (docs/scoring.md).
/// <para>It works in buffers of its own, allocated once, so nothing is allocated per window; like the profile it
/// belongs to, it is scored from one thread at a time.</para>
/// </summary>
public sealed class BeltPattern
{
    /// <summary>How far (px) the neighbour's position may differ from one period: parts are not placed exactly.</summary>
    public const int Tolerance = 1;

    /// <summary>The fewest positions compared: a period longer than this leaves of the belt's view is not measured.</summary>
    public const int MinPositions = 8;

    /// <summary>The least standard deviation a position's difference is counted in (differences are in units of the frame's median).</summary>
    public const float MinDeviation = 0.05f;

    /// <summary>The most learning frames the period is searched on.</summary>
    private const int PeriodFrames = 200;

    private readonly int _grid, _length, _period, _lo, _positions;
    private readonly float[] _weights;
    private readonly int _main = -1; // the strip with the largest weight (rows 0..G-1, columns G..2G-1), for the map
    private readonly float[] _mean = [], _deviation = [];
    private readonly float[] _profile, _differences, _sorted;

    /// <summary>The fitted channel of <paramref name="stats"/>; measures nothing when it learned no belt.</summary>
    public BeltPattern(PatternStats stats) : this(stats.Grid, stats.Weights, stats.IsLearned && stats.Count >= 2 ? stats.Period : 0)
    {
        if (!IsMeasured) return;
        _mean = new float[_positions];
        _deviation = new float[_positions];
        for (var i = 0; i < _positions; i++)
        {
            var m = stats.Sum[i] / stats.Count;
            _mean[i] = (float)m;
            _deviation[i] = (float)Math.Max(Math.Sqrt(Math.Max(0, (stats.Squares[i] - stats.Count * m * m) / (stats.Count - 1))), MinDeviation);
        }
    }

    /// <summary>The belt's geometry and buffers: its strips' weights and, with a period (0: none), the positions compared.</summary>
    private BeltPattern(int grid, float[] weights, int period)
    {
        _grid = grid;
        _length = FrameSignals.ProfileLength(grid);
        _weights = weights;
        _profile = new float[_length];
        _differences = new float[_length];
        _sorted = new float[_length];
        for (var s = 0; s < weights.Length; s++)
        {
            if (weights[s] > 0 && (_main < 0 || weights[s] > weights[_main])) _main = s;
        }
        if (period == 0) return;
        _period = period;
        _lo = period + Tolerance;
        _positions = Math.Max(0, _length - 2 * _lo);
    }

    /// <summary>Whether the channel measures anything (a belt with a period was learned).</summary>
    public bool IsMeasured => _positions > 0;

    /// <summary>
    /// The window's distance from the belt's normal pattern (mean over its frames of each frame's worst position, in
    /// that position's standard deviations) and the region the worst position lies in (-1 when nothing is measured).
    /// </summary>
    /// <param name="signals">(T, K) frame signals.</param>
    public double Score(ReadOnlySpan<float> signals, out int region)
    {
        region = -1;
        if (!IsMeasured) return 0;
        var stride = FrameSignals.Length(_grid);
        var frames = signals.Length / stride;
        if (frames < 1) return 0;
        double total = 0;
        var (worst, worstAt) = (float.NegativeInfinity, 0);
        for (var t = 0; t < frames; t++)
        {
            Differences(signals.Slice(t * stride, stride));
            var (frameWorst, at) = (float.NegativeInfinity, 0);
            for (var i = 0; i < _positions; i++)
            {
                var z = (_differences[i] - _mean[i]) / _deviation[i];
                if (z > frameWorst) (frameWorst, at) = (z, i);
            }
            total += frameWorst;
            if (frameWorst > worst) (worst, worstAt) = (frameWorst, at);
        }
        region = Region(_lo + worstAt);
        return Math.Max(0, total / frames);
    }

    /// <summary>Adds a window's frames to <paramref name="stats"/> (feedback), each weighing its share of <paramref name="weight"/>.</summary>
    public void AddTo(PatternStats stats, ReadOnlySpan<float> signals, double weight)
    {
        if (!IsMeasured) return;
        var stride = FrameSignals.Length(_grid);
        var frames = signals.Length / stride;
        for (var t = 0; t < frames; t++)
        {
            Differences(signals.Slice(t * stride, stride));
            stats.Add(_differences.AsSpan(0, _positions), weight / frames);
        }
    }

    /// <summary>
    /// Learns the belt's pattern from normal frames' signals: its strips from the belt's regions (the rows of regions it
    /// runs along, or the columns for a belt running more up or down than across, weighed by how many of its regions
    /// each holds), the period from up to 200 of the frames, and each position's differences from all of them.
    /// </summary>
    /// <param name="frames">Single frames' signals (<see cref="FrameSignals.Length"/> each), in any order.</param>
    public static PatternStats Learn(int grid, ReadOnlySpan<int> belt, MotionModel motion, IReadOnlyList<float[]> frames)
    {
        var none = PatternStats.None(grid);
        if (belt.IsEmpty || frames.Count < 2) return none;
        var weights = StripWeights(grid, belt, motion);
        var length = FrameSignals.ProfileLength(grid);
        var shaper = new BeltPattern(grid, weights, 0);
        var step = Math.Max(1, frames.Count / PeriodFrames);
        var sample = new List<float[]>();
        for (var i = 0; i < frames.Count; i += step) sample.Add(shaper.Profile(frames[i]).ToArray());
        var period = FindPeriod(sample, length);
        var positions = length - 2 * (period + Tolerance);
        if (period == 0 || positions < MinPositions) return none;
        var stats = new PatternStats(grid, weights, period, 0, new double[positions], new double[positions]);
        var learner = new BeltPattern(grid, weights, period);
        foreach (var frame in frames)
        {
            learner.Differences(frame);
            stats.Add(learner._differences.AsSpan(0, positions));
        }
        return stats;
    }

    /// <summary>
    /// The shift (px) at which the belt's profile best matches itself, each position allowed the closer of a pixel either
    /// side: the mean over frames of the smallest difference, over the half of the profile every candidate can compare.
    /// Shifts from 6 px to half the profile; 0 when the profile is too short.
    /// </summary>
    private static int FindPeriod(IReadOnlyList<float[]> profiles, int length)
    {
        var span = length - length / 2 - Tolerance;
        var (best, bestPeriod) = (double.PositiveInfinity, 0);
        for (var period = 6; period < length / 2 - Tolerance; period++)
        {
            double total = 0;
            foreach (var p in profiles)
            {
                for (var x = 0; x < span; x++)
                {
                    var smallest = float.PositiveInfinity;
                    for (var s = period - Tolerance; s <= period + Tolerance; s++) smallest = Math.Min(smallest, Math.Abs(p[x] - p[x + s]));
                    total += smallest;
                }
            }
            if (total < best) (best, bestPeriod) = (total, period);
        }
        return bestPeriod;
    }

    /// <summary>Each strip's share: the belt's regions it holds, along the belt's direction (as <see cref="BeltShift"/> tells it).</summary>
    private static float[] StripWeights(int grid, ReadOnlySpan<int> belt, MotionModel motion)
    {
        var rows = LineSpeed.RunsAcross(belt, motion);
        var weights = new float[2 * grid];
        foreach (var r in belt) weights[rows ? r / grid : grid + r % grid] += 1f / belt.Length;
        return weights;
    }

    /// <summary>The belt's profile of one frame: its strips mixed by weight, as a percentage of its mean, each value
    /// averaged with the one before (a pixel's jitter between neighbours is not a difference).</summary>
    private ReadOnlySpan<float> Profile(ReadOnlySpan<float> frame)
    {
        var p = _profile.AsSpan();
        p.Clear();
        for (var s = 0; s < _weights.Length; s++)
        {
            if (_weights[s] == 0) continue;
            var strip = frame.Slice(FrameSignals.Profile(_grid, s), _length);
            for (var x = 0; x < _length; x++) p[x] += _weights[s] * strip[x];
        }
        float mean = 0;
        foreach (var v in p) mean += v;
        var scale = 100 / Math.Max(mean / _length, 1);
        var previous = p[0] * scale;
        p[0] = previous;
        for (var x = 1; x < _length; x++)
        {
            var v = p[x] * scale;
            p[x] = (v + previous) / 2;
            previous = v;
        }
        return p;
    }

    /// <summary>
    /// Fills <see cref="_differences"/> (the first <see cref="_positions"/> values, position lo + i) with each compared
    /// position's smaller difference with its neighbours one period ahead and behind, divided by the frame's median.
    /// </summary>
    private void Differences(ReadOnlySpan<float> frame)
    {
        var p = Profile(frame);
        for (var i = 0; i < _positions; i++)
        {
            var x = _lo + i;
            float ahead = float.PositiveInfinity, behind = float.PositiveInfinity;
            for (var s = _period - Tolerance; s <= _period + Tolerance; s++)
            {
                ahead = Math.Min(ahead, Math.Abs(p[x] - p[x + s]));
                behind = Math.Min(behind, Math.Abs(p[x] - p[x - s]));
            }
            _differences[i] = Math.Min(ahead, behind);
        }
        var sorted = _sorted.AsSpan(0, _positions);
        _differences.AsSpan(0, _positions).CopyTo(sorted);
        sorted.Sort();
        var median = _positions % 2 == 1 ? sorted[_positions / 2] : (sorted[_positions / 2 - 1] + sorted[_positions / 2]) / 2;
        var unit = 1 / (median + 1e-3f);
        for (var i = 0; i < _positions; i++) _differences[i] *= unit;
    }

    /// <summary>The region holding position <paramref name="x"/> of the main strip.</summary>
    private int Region(int x)
    {
        if (_main < 0) return -1;
        var cell = _length / _grid;
        return _main < _grid ? _main * _grid + x / cell : x / cell * _grid + (_main - _grid);
    }
}
