using LineWatch.Configuration;

namespace LineWatch.Scoring;

/// <summary>
/// Builds a camera's normal profile from a stream of normal windows in time order (from footage or from the live
/// camera): windows go, in blocks, either into the profile's fit or into a held-out set (every k-th block,
/// k = 1 / HoldOutFraction), whose largest local and motion distances, times <see cref="LearningOptions.Margin"/>,
/// become the thresholds (the line-speed and belt-shift ones never below <see cref="LearningOptions.MinSpeedChange"/>). Blocks rather than single windows, because neighbouring windows overlap.
/// The belt's pattern is learned last, from the newest frame of every fitted window, since which strips hold the belt
/// is known only once the motion is fitted; its threshold is the margin times its largest held-out distance. The lighting
/// threshold is the margin times the largest change of light seen over the whole footage (it has nothing to
/// fit), and never below <see cref="LearningOptions.MinLightingChange"/>. The median local distance per position
/// on the held-out windows is the profile's typical level, which <see cref="LocalBaseline"/> compares with.
/// </summary>
public sealed class ProfileFitter
{
    private const int BlockWindows = 20;
    public const int MinFitWindows = 50;
    public const int MinHeldOutWindows = 10;

    private readonly NormalProfile _profile;
    private readonly LearningOptions _options;
    private readonly LightingChange _lighting;
    private readonly List<(float[] Tokens, float[] Signals)> _heldOut = [];
    // The newest frame of every fitted window (the window stride apart), for the belt's pattern: which strips and which
    // period it has can only be told once the motion is fitted.
    private readonly List<float[]> _patternFrames = [];
    private readonly int _every;
    private double _largestLightingChange;
    private int _index;

    /// <param name="windowsPerSecond">The camera's window rate (analysis fps / stride).</param>
    public ProfileFitter(string camera, ModelIdentity model, LearningOptions options, double windowsPerSecond)
    {
        _profile = new NormalProfile(camera, model, model.ImageSize / Processing.ClipShape.PatchSize);
        _options = options;
        _lighting = new LightingChange(windowsPerSecond);
        _every = Math.Max(2, (int)Math.Round(1 / options.HoldOutFraction));
    }

    /// <param name="HeldOutLocal">The largest local distance among the held-out windows (the local threshold is the margin times it).</param>
    /// <param name="HeldOutMotion">The largest motion distance among the held-out windows.</param>
    /// <param name="LargestLightingChange">The largest change of light seen over all the footage.</param>
    /// <param name="HeldOutSpeed">The largest change of line speed among the held-out windows.</param>
    /// <param name="HeldOutShift">The largest change of the belt strip's shift among the held-out windows.</param>
    /// <param name="HeldOutPattern">The largest distance from the belt's pattern among the held-out windows.</param>
    public sealed record Result(NormalProfile Profile, int FittedWindows, int HeldOutWindows, double HeldOutLocal = double.NaN, double HeldOutMotion = double.NaN,
        double LargestLightingChange = double.NaN, double HeldOutSpeed = double.NaN, double HeldOutShift = double.NaN, double HeldOutPattern = double.NaN);

    public int Windows => _index;

    public void Add(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals)
    {
        _largestLightingChange = Math.Max(_largestLightingChange, _lighting.Next(signals, _profile.Grid));
        if (_index / BlockWindows % _every == _every - 1) _heldOut.Add((tokens.ToArray(), signals.ToArray()));
        else
        {
            _profile.Add(tokens, signals);
            var stride = Capture.FrameSignals.Length(_profile.Grid);
            if (signals.Length >= stride) _patternFrames.Add(signals[^stride..].ToArray());
        }
        _index++;
    }

    /// <summary>Sets the thresholds.</summary>
    /// <exception cref="InvalidOperationException">Too few windows to fit or to calibrate.</exception>
    public Result Finish()
    {
        if (_profile.Windows < MinFitWindows || _heldOut.Count < MinHeldOutWindows)
        {
            throw new InvalidOperationException($"not enough normal footage: {_profile.Windows} windows to fit and {_heldOut.Count} to calibrate (need {MinFitWindows} and {MinHeldOutWindows}; learn for longer)");
        }
        _profile.SetPattern(BeltPattern.Learn(_profile.Grid, _profile.BeltRegions, _profile.MotionModel, _patternFrames));
        var map = new float[_profile.Grid * _profile.Grid];
        var scratch = new float[CameraScorer.ScratchLength(_profile.Model)];
        var positions = _profile.Grid * _profile.Grid;
        var distances = new float[_heldOut.Count * positions];
        var scores = _heldOut.Select((h, i) =>
        {
            var score = _profile.Score(h.Tokens, h.Signals, 0, null, null, map, scratch);
            map.AsSpan(0, positions).CopyTo(distances.AsSpan(i * positions, positions)); // uncalibrated: the raw local distances
            return score;
        }).ToList();
        var spread = LocalSpread(distances, positions);
        var typical = new float[positions];
        var column = new float[_heldOut.Count];
        var heldOutLocal = 0.0;
        for (var p = 0; p < positions; p++)
        {
            for (var i = 0; i < column.Length; i++) column[i] = distances[i * positions + p] / spread[p];
            Array.Sort(column);
            typical[p] = column[column.Length / 2];
            heldOutLocal = Math.Max(heldOutLocal, column[^1]);
        }
        _profile.SetLocalSpread(spread);
        _profile.SetTypicalLocal(typical);
        var heldOutMotion = scores.Max(s => s.Motion);
        var heldOutSpeed = scores.Max(s => s.Speed);
        var heldOutShift = scores.Max(s => s.Shift);
        var heldOutPattern = scores.Max(s => s.Pattern);
        _profile.LocalThreshold = _options.Margin * heldOutLocal;
        _profile.MotionThreshold = _options.Margin * Math.Max(heldOutMotion, MotionFloor);
        _profile.SpeedThreshold = Math.Max(_options.MinSpeedChange, _options.Margin * heldOutSpeed);
        _profile.LightingThreshold = Math.Max(_options.MinLightingChange, _options.Margin * _largestLightingChange);
        // The belt shift measures the line speed too, so it has the line speed's least change.
        _profile.ShiftThreshold = Math.Max(_options.MinSpeedChange, _options.Margin * heldOutShift);
        _profile.PatternThreshold = _options.Margin * Math.Max(heldOutPattern, PatternFloor);
        return new Result(_profile, (int)_profile.Windows, _heldOut.Count, heldOutLocal, heldOutMotion, _largestLightingChange, heldOutSpeed, heldOutShift,
            heldOutPattern);
    }

    /// <summary>
    /// How far a position's own spread counts against the camera's widest, in log terms: each position's unit is
    /// (its largest held-out distance / the widest position's) to the power 1 - 0.25, so the widest position keeps
    /// unit 1 (and the threshold its meaning: the margin times the largest held-out distance) and a quiet one is
    /// counted in a smaller unit. Fully per position (share 0) trusts a maximum over a few hundred windows in every
    /// quiet corner, and rougher days than the learning day raised false alarms there; one unit for the whole picture
    /// (1, scoring v4) let the busiest position set the threshold everywhere. Chosen on the dev scenes 112-114
    /// (docs/benchmarks.md).
    /// </summary>
    public const double SpreadShare = 0.25;

    private static float[] LocalSpread(float[] distances, int positions)
    {
        var spread = new float[positions];
        for (var i = 0; i < distances.Length; i++) spread[i % positions] = Math.Max(spread[i % positions], distances[i]);
        var widest = spread.Max();
        if (!(widest > 0)) return Enumerable.Repeat(1f, positions).ToArray();
        // A position that never moved on held-out windows (0) takes the smallest unit any position has, not zero.
        var smallest = spread.Where(v => v > 0).Min();
        for (var p = 0; p < positions; p++) spread[p] = (float)Math.Pow(Math.Max(spread[p], smallest) / widest, 1 - SpreadShare);
        return spread;
    }

    /// <summary>
    /// A camera whose picture never moves (no belt in view, or footage of a stopped line) has motion distances
    /// of zero on held-out windows; its motion threshold is then set as if they had reached one floored
    /// standard deviation, so that motion appearing at all alerts rather than dividing by zero.
    /// </summary>
    private const double MotionFloor = 1;

    /// <summary>
    /// A camera without a belt pattern (no belt, or a belt longer than its view between parts) scores 0 there; its
    /// threshold is then set as if held-out windows had reached one standard deviation, so it stays finite and positive.
    /// </summary>
    private const double PatternFloor = 1;
}
