using System.Text.Json;
using LineWatch.Storage;

namespace LineWatch.Scoring;

/// <summary>
/// Where a window's score came from: the raw local (worst patch), motion (optical flow per region), line-speed
/// (change as a fraction of normal), lighting-change, belt-shift (change as a fraction of normal) and belt-pattern
/// (standard deviations) distances, and the combined score normalised so that 1.0 is the alert threshold on every camera.
/// </summary>
public readonly record struct WindowScore(double Local, double Motion, double Speed, double Lighting, double Score, int WorstFrame = 0, double Shift = 0,
    double Pattern = 0);

/// <summary>The channels of <see cref="NormalProfile"/>, each with its own threshold.</summary>
public enum ScoreChannel { Local, Motion, Speed, Lighting, Shift, Pattern }

/// <summary>
/// A camera's learned model of normal operation, in three channels that each catch what the others miss
/// (docs/scoring.md explains the choices and the measurements behind them):
/// <list type="bullet">
/// <item>local — per patch position, a Gaussian of the backbone's patch token averaged over the window's frames
/// (PaDiM-style): "something here looks unusual" (a foreign object, a hand, a turned part); it also draws the
/// anomaly map. Its distances are counted in each position's own spread (<see cref="LocalSpread"/>), compared with
/// the camera's recent level (<see cref="LocalBaseline"/>) and lowered by what the whole picture shares
/// (<see cref="CommonLevel"/>);</item>
/// <item>motion — per region, the window's signed optical flow against its normal mean and spread
/// (<see cref="MotionStats"/>): a belt that stops or reverses, a hand, anything moving where nothing should;</item>
/// <item>line speed — the flow along the whole belt as a fraction of normal (<see cref="LineSpeed"/>): a belt
/// running slower or faster, a part missing from the rhythm. Both flow channels are compared with the camera's
/// recent level (<see cref="MotionBaseline"/>);</item>
/// <item>lighting — the change of light level or contrast over the last seconds (<see cref="LightingChange"/>):
/// lights failing, smoke;</item>
/// <item>belt shift — the line's speed again, as the strip along the belt shifts by phase correlation
/// (<see cref="BeltShift"/>), which keeps its reading in noise and at speeds where the flow does not;</item>
/// <item>belt pattern — each stretch of the belt against its neighbours one period ahead and behind
/// (<see cref="BeltPattern"/>): a part missing, doubled or turned.</item>
/// </list>
/// Local and motion are stored as sufficient statistics, so operator feedback can add normal windows later; each
/// channel has a threshold set by <see cref="ProfileFitter"/>.
/// </summary>
public sealed class NormalProfile
{
    /// <summary>8: the belt's pattern (strips' profiles, probe version 5) and its threshold were added.
    /// 7: strips' normal shifts and the belt-shift threshold (probe version 4) were added.
    /// 6: the flow channels were learned from regions' flow weighed by texture (<see cref="Capture.FrameSignalProbe.Version"/> 3);
    /// a format-5 profile's flow was the plain mean of its pixels', whose flat regions read other values.
    /// 5: flow measured at one contrast (probe version 2); format 4's flow was in another unit.</summary>
    public const int FormatVersion = 8;
    private const string Magic = "LWPROFILE";

    /// <summary>
    /// The least variance a token feature is credited with. The backbone's tokens are layer-normalised (unit
    /// spread across their features), so 0.01 is a tenth of a typical feature's scale: the static background,
    /// whose tokens barely vary on the day a camera is learned, stops reading every bit of extra sensor noise,
    /// compression or shake as a fault (docs/scoring.md: it cut normal footage's scores under heavier nuisance
    /// by a factor of 3 to 4).
    /// </summary>
    public const double TokenVarianceFloor = 0.01;

    private MotionModel? _motion;
    private LineSpeed? _speed;
    private BeltShift? _shift;
    private BeltPattern? _pattern;
    private GaussianModel[]? _local;
    private float[] _typical;
    private float[] _spread;

    public NormalProfile(string camera, ModelIdentity model, int grid)
    {
        Camera = camera;
        Model = model;
        Grid = grid;
        Local = Enumerable.Range(0, grid * grid).Select(_ => new GaussianStats(model.Dim)).ToArray();
        Motion = new MotionStats(grid);
        Strips = new StripShiftStats(grid);
        Pattern = PatternStats.None(grid);
        _typical = new float[grid * grid];
        _spread = Enumerable.Repeat(1f, grid * grid).ToArray();
    }

    private NormalProfile(Header header, GaussianStats[] local, MotionStats motion, StripShiftStats strips, PatternStats pattern)
    {
        Strips = strips;
        Pattern = pattern;
        ShiftThreshold = header.ShiftThreshold ?? double.NaN;
        PatternThreshold = header.PatternThreshold ?? double.NaN;
        Camera = header.Camera;
        Model = header.Model;
        Grid = header.Grid;
        Local = local;
        Motion = motion;
        _typical = header.Typical;
        _spread = header.Spread ?? Enumerable.Repeat(1f, header.Grid * header.Grid).ToArray();
        LocalThreshold = header.LocalThreshold;
        MotionThreshold = header.MotionThreshold;
        SpeedThreshold = header.SpeedThreshold;
        LightingThreshold = header.LightingThreshold;
        FeedbackWindows = header.FeedbackWindows;
        Created = header.Created;
        Updated = header.Updated;
    }

    public string Camera { get; }
    public ModelIdentity Model { get; }
    public int Grid { get; }
    public GaussianStats[] Local { get; }
    public MotionStats Motion { get; }
    public StripShiftStats Strips { get; }

    /// <summary>The belt's pattern (<see cref="BeltPattern.Learn"/>; none until <see cref="SetPattern"/>).</summary>
    public PatternStats Pattern { get; private set; }
    public double LocalThreshold { get; set; } = double.NaN;
    public double MotionThreshold { get; set; } = double.NaN;

    /// <summary>A change of line speed (fraction of normal) at which the line-speed channel alone alerts.</summary>
    public double SpeedThreshold { get; set; } = double.NaN;

    /// <summary>A change of light level or contrast (log ratio) at which the lighting channel alone alerts.</summary>
    public double LightingThreshold { get; set; } = double.NaN;

    /// <summary>A change of the belt strip's shift (fraction of normal) at which the belt-shift channel alone alerts.</summary>
    public double ShiftThreshold { get; set; } = double.NaN;

    /// <summary>A distance from the belt's normal pattern (standard deviations) at which the belt-pattern channel alone alerts.</summary>
    public double PatternThreshold { get; set; } = double.NaN;
    public long FeedbackWindows { get; private set; }

    /// <summary>Per patch position, the median local distance of the learning day's held-out windows: the level
    /// <see cref="LocalBaseline"/> measures a camera's recent level against.</summary>
    public ReadOnlySpan<float> TypicalLocal => _typical;

    /// <summary>Sets <see cref="TypicalLocal"/> (the fitter does, from held-out windows).</summary>
    public void SetTypicalLocal(ReadOnlySpan<float> typical)
    {
        if (typical.Length != Grid * Grid) throw new ArgumentException($"expected {Grid * Grid} positions, got {typical.Length}");
        _typical = typical.ToArray();
    }

    /// <summary>
    /// Per patch position, the unit its local distance is counted in, relative to the position that varied most on
    /// the learning day (unit 1; set by <see cref="ProfileFitter"/> from held-out windows; 1 everywhere in a profile
    /// learned before scoring v5). Where normal operation varies a lot (parts passing the station) the unit is
    /// large; where it is quiet (the belt between parts, the floor) it is small, so the busiest position no longer
    /// sets the threshold for the quiet ones, where a wrong-coloured or fallen part shows. Distances,
    /// <see cref="TypicalLocal"/> and the local threshold are in these units.
    /// </summary>
    public ReadOnlySpan<float> LocalSpread => _spread;

    /// <summary>Sets <see cref="LocalSpread"/>; every value must be positive and finite.</summary>
    public void SetLocalSpread(ReadOnlySpan<float> spread)
    {
        if (spread.Length != Grid * Grid) throw new ArgumentException($"expected {Grid * Grid} positions, got {spread.Length}");
        foreach (var v in spread)
        {
            if (!(v > 0 && float.IsFinite(v))) throw new ArgumentException($"every position's spread must be positive and finite, got {v}");
        }
        _spread = spread.ToArray();
    }

    public DateTimeOffset Created { get; private set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset Updated { get; private set; } = DateTimeOffset.UtcNow;

    /// <summary>Normal windows learned, feedback included (feedback counts with its weight).</summary>
    public long Windows => (long)Motion.Count;

    public bool IsCalibrated => IsThreshold(LocalThreshold) && IsThreshold(MotionThreshold) && IsThreshold(SpeedThreshold) && IsThreshold(LightingThreshold)
        && IsThreshold(ShiftThreshold) && IsThreshold(PatternThreshold);

    private static bool IsThreshold(double value) => double.IsFinite(value) && value > 0;

    /// <summary>Adds a normal window: its tokens (T, G, G, D) and its frames' signals (T, K).</summary>
    public void Add(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals) => Add(tokens, signals, 1);

    private void Add(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals, double weight)
    {
        var dim = Model.Dim;
        var positions = Grid * Grid;
        Span<float> mean = stackalloc float[dim];
        for (var p = 0; p < positions; p++)
        {
            WindowMean(tokens, p, positions, dim, mean);
            Local[p].Add(mean, weight);
        }
        Span<float> flow = stackalloc float[2 * positions];
        MotionStats.WindowFlow(signals, Grid, flow);
        Motion.Add(flow, weight);
        Strips.Add(signals, weight);
        _motion = null;
        _pattern = null;
        _speed = null;
        _shift = null;
        _local = null;
    }

    /// <summary>
    /// Feedback: a window an operator marked a false alarm becomes normal (the caller saves). It is weighted as
    /// 2% of the normal data seen so far, so a handful of windows of one situation can move a profile learned
    /// from thousands — which is the point: that situation must stop alerting.
    /// </summary>
    public void AddFeedback(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals)
    {
        var weight = Math.Max(1, 0.02 * Windows);
        // Learning sets the pattern at once (SetPattern), from frames its windows gave; feedback adds to it here.
        PatternModel.AddTo(Pattern, signals, weight * Pattern.Count / Math.Max(1, Windows));
        Add(tokens, signals, weight);
        FeedbackWindows++;
        Updated = DateTimeOffset.UtcNow;
    }

    /// <summary>Sets the belt's pattern (learning does, once the motion says where the belt is) and refits it.</summary>
    public void SetPattern(PatternStats pattern)
    {
        if (pattern.Grid != Grid) throw new ArgumentException($"a pattern for a {pattern.Grid} x {pattern.Grid} grid, the profile's is {Grid} x {Grid}");
        Pattern = pattern;
        _pattern = null;
    }

    private BeltPattern PatternModel => _pattern ??= new BeltPattern(Pattern);

    /// <summary>Fits the models from the statistics if windows were added since the last fit; scoring does it on demand.</summary>
    public void Fit()
    {
        _local ??= Local.Select(s => s.Fit(TokenVarianceFloor)).ToArray();
        if (_motion is null)
        {
            _motion = Motion.Fit();
            _speed = new LineSpeed(_motion);
            _shift = new BeltShift(Grid, _speed.Belt, _motion, Strips);
        }
    }

    /// <summary>The fitted motion model (learning reads the belt's direction from it).</summary>
    internal MotionModel MotionModel
    {
        get
        {
            Fit();
            return _motion!;
        }
    }

    /// <summary>The regions the belt crosses, which the line-speed channel measures (none when nothing moves).</summary>
    public ReadOnlySpan<int> BeltRegions
    {
        get
        {
            Fit();
            return _speed!.Belt;
        }
    }

    /// <summary>
    /// Raw distances of a window and its anomaly map (G x G: per position, the largest of its local distance, its
    /// region's motion distance and, on the belt, the line-speed change, each divided by its threshold when calibrated).
    /// </summary>
    /// <param name="lightingChange">The window's change of light, from the camera's <see cref="LightingChange"/>.</param>
    /// <param name="baseline">The camera's recent local level, or null to score the window on its own (calibration).</param>
    /// <param name="motionBaseline">The camera's recent flow, or null to score the window on its own (calibration).</param>
    /// <param name="scratch">Room for 2 D floats.</param>
    /// <param name="mask">The camera's regions on this grid, or null to score every position. Positions it leaves out
    /// count in none of the local, motion and line-speed channels and read 0 on the map; the lighting change is the
    /// whole picture's.</param>
    public WindowScore Score(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals, double lightingChange, LocalBaseline? baseline,
        MotionBaseline? motionBaseline, Span<float> map, Span<float> scratch, RegionMask? mask = null)
    {
        if (mask is not null && mask.Grid != Grid) throw new ArgumentException($"a mask for a {mask.Grid} x {mask.Grid} grid, the profile's is {Grid} x {Grid}");
        var scored = mask is null || mask.IsEverything ? default : mask.Scored;
        Fit();
        var local = _local!;
        var dim = Model.Dim;
        var positions = Grid * Grid;
        var frames = tokens.Length / (positions * dim);
        var mean = scratch[..dim];
        var work = scratch.Slice(dim, dim);
        for (var p = 0; p < positions; p++)
        {
            WindowMean(tokens, p, positions, dim, mean);
            map[p] = MathF.Sqrt(local[p].Score(mean, work)) / _spread[p];
        }
        if (baseline is not null && IsCalibrated) baseline.Correct(map[..positions], _typical, LocalThreshold);
        // What the whole picture shares (a jolt, a burst of compression) is not a local fault: docs/scoring.md.
        if (IsCalibrated) CommonLevel.Remove(map[..positions], _typical, (float)(CommonLevel.MaxCorrection * LocalThreshold), stackalloc float[positions]);
        var worst = 0f;
        for (var p = 0; p < positions; p++)
        {
            // The baseline above still saw the left-out positions: their history is ready if the regions change back.
            if (!scored.IsEmpty && !scored[p]) map[p] = 0;
            else worst = Math.Max(worst, map[p]);
        }
        Span<float> flow = stackalloc float[2 * positions];
        Span<float> regions = stackalloc float[positions];
        MotionStats.WindowFlow(signals, Grid, flow);
        // A camera's scorer passes its baseline; until that has a recent level (10 s after a start), the line speed is not
        // judged: a belt read a fifth slow by flicker or compression would alert at every start, before the offset can be
        // taken out (docs/scoring.md). A stopped or reversed belt alerts through the motion channel meanwhile.
        var judgeSpeed = motionBaseline is null || !IsCalibrated || motionBaseline.Correct(flow, _motion!, MotionThreshold);
        var motion = _motion!.Score(flow, regions, scored);
        var speed = judgeSpeed ? Math.Abs(_speed!.Change(flow, scored)) : 0;
        var shift = judgeSpeed ? Math.Abs(_shift!.Change(signals, scored)) : 0;
        var pattern = PatternModel.Score(signals, out var patternRegion);
        if (patternRegion >= 0 && !scored.IsEmpty && !scored[patternRegion]) pattern = 0;
        // The local model sees the whole window at once; the snapshot shows its newest frame.
        var newest = frames - 1;
        if (!IsCalibrated) return new WindowScore(worst, motion, speed, lightingChange, double.NaN, newest, shift, pattern);
        for (var p = 0; p < positions; p++) map[p] = Math.Max(map[p] / (float)LocalThreshold, regions[p] / (float)MotionThreshold);
        foreach (var r in _speed!.Belt)
        {
            if (scored.IsEmpty || scored[r]) map[r] = Math.Max(map[r], (float)(speed / SpeedThreshold));
        }
        foreach (var r in _shift!.Regions)
        {
            if (scored.IsEmpty || scored[r]) map[r] = Math.Max(map[r], (float)(shift / ShiftThreshold));
        }
        var score = Math.Max(Math.Max(worst / LocalThreshold, motion / MotionThreshold), Math.Max(speed / SpeedThreshold, lightingChange / LightingThreshold));
        if (patternRegion >= 0) map[patternRegion] = Math.Max(map[patternRegion], (float)(pattern / PatternThreshold));
        score = Math.Max(score, Math.Max(shift / ShiftThreshold, pattern / PatternThreshold));
        return new WindowScore(worst, motion, speed, lightingChange, score, newest, shift, pattern);
    }

    /// <summary>
    /// Position <paramref name="p"/>'s token averaged over the window's frames. Sensor noise is independent from
    /// frame to frame and the backbone's layer norm turns it into full-size token changes on plain surfaces;
    /// averaging 8 frames cuts its variance eightfold, while a part or object at the position stays (at belt speed
    /// a part crosses about one patch per window). Measured on level-2 footage: docs/scoring.md.
    /// </summary>
    private static void WindowMean(ReadOnlySpan<float> tokens, int p, int positions, int dim, Span<float> mean)
    {
        var frames = tokens.Length / (positions * dim);
        mean.Clear();
        for (var t = 0; t < frames; t++)
        {
            var token = tokens.Slice((t * positions + p) * dim, dim);
            for (var i = 0; i < dim; i++) mean[i] += token[i];
        }
        var scale = 1f / frames;
        for (var i = 0; i < dim; i++) mean[i] *= scale;
    }

    /// <summary>The channel that set a calibrated window's score (the one furthest over its threshold), for telling why an alert rose.</summary>
    public ScoreChannel Dominant(in WindowScore score)
    {
        var (channel, level) = (ScoreChannel.Local, score.Local / LocalThreshold);
        if (score.Motion / MotionThreshold > level) (channel, level) = (ScoreChannel.Motion, score.Motion / MotionThreshold);
        if (score.Speed / SpeedThreshold > level) (channel, level) = (ScoreChannel.Speed, score.Speed / SpeedThreshold);
        if (score.Lighting / LightingThreshold > level) (channel, level) = (ScoreChannel.Lighting, score.Lighting / LightingThreshold);
        if (score.Shift / ShiftThreshold > level) (channel, level) = (ScoreChannel.Shift, score.Shift / ShiftThreshold);
        if (score.Pattern / PatternThreshold > level) channel = ScoreChannel.Pattern;
        return channel;
    }

    /// <summary>Refuses a profile made for another model or window shape.</summary>
    public void EnsureMatches(ModelIdentity model, string camera)
    {
        if (Model != model)
        {
            throw new ProfileMismatchException($"profile for camera {Camera} was learned with {Model}, but the agent runs {model}; learn again");
        }
        if (!string.Equals(Camera, camera, StringComparison.Ordinal))
        {
            throw new ProfileMismatchException($"profile belongs to camera {Camera}, not {camera}");
        }
    }

    private sealed record Header(int Version, string Camera, ModelIdentity Model, int Grid, double LocalThreshold, double MotionThreshold,
        double SpeedThreshold, double LightingThreshold, long Windows, long FeedbackWindows, DateTimeOffset Created, DateTimeOffset Updated, float[] Typical, float[]? Spread = null,
        double? ShiftThreshold = null, double? PatternThreshold = null, float[]? PatternWeights = null, int PatternPeriod = 0);

    /// <summary>Writes through <see cref="AtomicFile"/>: the running agent may reload it at any moment, and a power cut must not cost it.</summary>
    public void Save(string path)
    {
        using var file = AtomicFile.Create(path);
        Write(file.Stream);
        file.Commit();
    }

    /// <summary>Writes the profile in its file format to <paramref name="stream"/> (left open); <see cref="Save"/> and the version store use it.</summary>
    public void Write(Stream stream)
    {
        Updated = DateTimeOffset.UtcNow;
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(System.Text.Encoding.ASCII.GetBytes(Magic));
            writer.Write(JsonSerializer.Serialize(new Header(FormatVersion, Camera, Model, Grid, LocalThreshold, MotionThreshold, SpeedThreshold, LightingThreshold,
                Windows, FeedbackWindows, Created, Updated, _typical, _spread, double.IsFinite(ShiftThreshold) ? ShiftThreshold : null,
                double.IsFinite(PatternThreshold) ? PatternThreshold : null, Pattern.Weights, Pattern.Period)));
            foreach (var stats in Local)
            {
                writer.Write(stats.Count);
                foreach (var v in stats.Sum) writer.Write(v);
                for (var i = 0; i < stats.Dim; i++)
                for (var j = i; j < stats.Dim; j++) writer.Write(stats.Outer[i * stats.Dim + j]);
            }
            writer.Write(Motion.Count);
            foreach (var v in Motion.Sum) writer.Write(v);
            foreach (var v in Motion.Squares) writer.Write(v);
            writer.Write(Strips.Count);
            foreach (var v in Strips.Sum) writer.Write(v);
            writer.Write(Pattern.Count);
            writer.Write(Pattern.Sum.Length);
            foreach (var v in Pattern.Sum) writer.Write(v);
            foreach (var v in Pattern.Squares) writer.Write(v);
        }
    }

    /// <exception cref="InvalidDataException">Not a profile, another format, damaged or truncated.</exception>
    public static NormalProfile Load(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (System.Text.Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic) throw new InvalidDataException($"{path} is not a LineWatch profile");
            var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException($"{path}: empty header");
            if (header.Version != FormatVersion)
            {
                throw new InvalidDataException($"{path}: profile format {header.Version}, this agent reads {FormatVersion}; learn the camera again");
            }
            if (header.Model is null || header.Camera is null) throw new InvalidDataException($"{path}: the header names no camera or model");
            if (header.Grid is < 1 or > 64 || header.Model.Dim is < 1 or > 4096)
            {
                throw new InvalidDataException($"{path}: a {header.Grid} x {header.Grid} grid of {header.Model.Dim}-wide tokens is not a profile this agent can use");
            }
            if (header.Typical is null || header.Typical.Length != header.Grid * header.Grid || header.Typical.Any(v => !float.IsFinite(v) || v < 0))
            {
                throw new InvalidDataException($"{path}: the typical local distances are missing or not {header.Grid * header.Grid} finite, non-negative values");
            }
            if (header.Spread is not null && (header.Spread.Length != header.Grid * header.Grid || header.Spread.Any(v => !float.IsFinite(v) || v <= 0)))
            {
                throw new InvalidDataException($"{path}: the local spreads are not {header.Grid * header.Grid} finite, positive values");
            }
            var local = new GaussianStats[header.Grid * header.Grid];
            var dim = header.Model.Dim;
            for (var k = 0; k < local.Length; k++)
            {
                var count = reader.ReadDouble();
                var sum = new double[dim];
                for (var i = 0; i < dim; i++) sum[i] = reader.ReadDouble();
                var outer = new double[dim * dim];
                for (var i = 0; i < dim; i++)
                for (var j = i; j < dim; j++) outer[i * dim + j] = reader.ReadDouble();
                local[k] = new GaussianStats(dim, count, sum, outer);
            }
            var motionCount = reader.ReadDouble();
            var motionSum = new double[2 * header.Grid * header.Grid];
            var motionSquares = new double[motionSum.Length];
            for (var i = 0; i < motionSum.Length; i++) motionSum[i] = reader.ReadDouble();
            for (var i = 0; i < motionSquares.Length; i++) motionSquares[i] = reader.ReadDouble();
            var stripCount = reader.ReadDouble();
            var stripSum = new double[4 * header.Grid];
            for (var i = 0; i < stripSum.Length; i++) stripSum[i] = reader.ReadDouble();
            var pattern = ReadPattern(reader, header, path);
            return new NormalProfile(header, local, new MotionStats(header.Grid, motionCount, motionSum, motionSquares), new StripShiftStats(header.Grid, stripCount, stripSum),
                pattern);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: damaged or truncated profile ({e.Message})", e);
        }
    }

    private static PatternStats ReadPattern(BinaryReader reader, Header header, string path)
    {
        var count = reader.ReadDouble();
        var positions = reader.ReadInt32();
        var length = Capture.FrameSignals.ProfileLength(header.Grid);
        var weights = header.PatternWeights ?? new float[2 * header.Grid];
        var period = header.PatternPeriod;
        if (weights.Length != 2 * header.Grid || weights.Any(w => !float.IsFinite(w) || w < 0) || period < 0 || period > length
            || positions != (period == 0 ? 0 : length - 2 * (period + BeltPattern.Tolerance)) || !double.IsFinite(count) || count < 0)
        {
            throw new InvalidDataException($"{path}: the belt's pattern (strip weights, period {header.PatternPeriod}, {positions} positions) does not fit a {header.Grid} x {header.Grid} grid");
        }
        var sum = new double[positions];
        var squares = new double[positions];
        for (var i = 0; i < positions; i++) sum[i] = reader.ReadDouble();
        for (var i = 0; i < positions; i++) squares[i] = reader.ReadDouble();
        return new PatternStats(header.Grid, weights, header.PatternPeriod, count, sum, squares);
    }
}
