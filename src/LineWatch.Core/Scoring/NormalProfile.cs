using System.Text.Json;

namespace LineWatch.Scoring;

/// <summary>Where a window's score came from: the raw global (class token), local (worst patch) and motion
/// distances, and the combined score normalised so that 1.0 is the alert threshold on every camera.</summary>
public readonly record struct WindowScore(double Global, double Local, double Motion, double Score, int WorstFrame = 0);

/// <summary>
/// A camera's learned model of normal operation, PaDiM-style on frozen backbone features:
/// a Gaussian of the class-token embedding (global: "the scene as a whole looks unusual") and one Gaussian
/// per spatial patch position over the patch tokens of every frame (local: "something here looks unusual",
/// which also gives the anomaly map), and a Gaussian of the window's motion profile — per patch position, how
/// much its tokens change from frame to frame (log) — because a jammed belt or a wrong speed has normal-looking
/// frames and only its motion is wrong. All are stored as sufficient statistics, so operator feedback can add
/// normal windows later, and each has a threshold calibrated on held-out normal windows.
/// </summary>
public sealed class NormalProfile
{
    public const int FormatVersion = 1;
    private const string Magic = "LWPROFILE";

    private GaussianModel? _global, _motion;
    private GaussianModel[]? _local;

    public NormalProfile(string camera, ModelIdentity model, int grid)
    {
        Camera = camera;
        Model = model;
        Grid = grid;
        Global = new GaussianStats(model.Dim);
        Local = Enumerable.Range(0, grid * grid).Select(_ => new GaussianStats(model.Dim)).ToArray();
        Motion = new GaussianStats(grid * grid);
    }

    private NormalProfile(Header header, GaussianStats global, GaussianStats[] local, GaussianStats motion)
    {
        Motion = motion;
        MotionThreshold = header.MotionThreshold;
        Camera = header.Camera;
        Model = header.Model;
        Grid = header.Grid;
        Global = global;
        Local = local;
        GlobalThreshold = header.GlobalThreshold;
        LocalThreshold = header.LocalThreshold;
        FeedbackWindows = header.FeedbackWindows;
        Created = header.Created;
        Updated = header.Updated;
    }

    public string Camera { get; }
    public ModelIdentity Model { get; }
    public int Grid { get; }
    public GaussianStats Global { get; }
    public GaussianStats[] Local { get; }
    public GaussianStats Motion { get; }
    public double GlobalThreshold { get; set; } = double.NaN;
    public double LocalThreshold { get; set; } = double.NaN;
    public double MotionThreshold { get; set; } = double.NaN;
    public long FeedbackWindows { get; private set; }
    public DateTimeOffset Created { get; private set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset Updated { get; private set; } = DateTimeOffset.UtcNow;
    /// <summary>Normal windows learned, feedback included (feedback counts with its weight).</summary>
    public long Windows => (long)Global.Count;
    public bool IsCalibrated => double.IsFinite(GlobalThreshold) && double.IsFinite(LocalThreshold) && double.IsFinite(MotionThreshold);

    /// <summary>Adds a normal window's features: its embedding (D) and tokens (T, G, G, D).</summary>
    public void Add(ReadOnlySpan<float> embedding, ReadOnlySpan<float> tokens) => Add(embedding, tokens, 1);

    private void Add(ReadOnlySpan<float> embedding, ReadOnlySpan<float> tokens, double weight)
    {
        Global.Add(embedding, weight);
        var dim = Model.Dim;
        var positions = Grid * Grid;
        var frames = tokens.Length / (positions * dim);
        for (var t = 0; t < frames; t++)
        for (var p = 0; p < positions; p++)
        {
            Local[p].Add(tokens.Slice((t * positions + p) * dim, dim), weight);
        }
        Span<float> motion = stackalloc float[positions];
        MotionOf(tokens, motion);
        Motion.Add(motion, weight);
        _global = null;
        _motion = null;
        _local = null;
    }

    /// <summary>Per position: log of the mean squared change of its token between consecutive frames.</summary>
    private void MotionOf(ReadOnlySpan<float> tokens, Span<float> motion)
    {
        var dim = Model.Dim;
        var positions = Grid * Grid;
        var frames = tokens.Length / (positions * dim);
        for (var p = 0; p < positions; p++)
        {
            double sum = 0;
            for (var t = 1; t < frames; t++)
            {
                var a = tokens.Slice(((t - 1) * positions + p) * dim, dim);
                var b = tokens.Slice((t * positions + p) * dim, dim);
                for (var i = 0; i < dim; i++) sum += (b[i] - a[i]) * (b[i] - a[i]);
            }
            motion[p] = (float)Math.Log(1e-6 + sum / (Math.Max(1, frames - 1) * dim));
        }
    }

    /// <summary>
    /// Feedback: a window an operator marked a false alarm becomes normal (the caller saves). It is weighted as
    /// 2% of the normal data seen so far, so a handful of windows of one situation can move a profile learned
    /// from thousands — which is the point: that situation must stop alerting.
    /// </summary>
    public void AddFeedback(ReadOnlySpan<float> embedding, ReadOnlySpan<float> tokens)
    {
        Add(embedding, tokens, Math.Max(1, 0.02 * Windows));
        FeedbackWindows++;
        Updated = DateTimeOffset.UtcNow;
    }

    /// <summary>Fits the Gaussians from the statistics if samples were added since the last fit; scoring does it on demand.</summary>
    public void Fit()
    {
        _global ??= Global.Fit();
        _local ??= Local.Select(s => s.Fit()).ToArray();
        _motion ??= Motion.Fit();
    }

    /// <summary>
    /// Raw distances of a window, and the anomaly map (G x G, each the worst frame's local distance at that
    /// position divided by the local threshold when calibrated). <paramref name="scratch"/> holds D floats.
    /// </summary>
    public WindowScore Score(ReadOnlySpan<float> embedding, ReadOnlySpan<float> tokens, Span<float> map, Span<float> scratch)
    {
        Fit();
        var global = _global!.Score(embedding, scratch);
        var local = _local!;
        var dim = Model.Dim;
        var positions = Grid * Grid;
        Span<float> motionVector = stackalloc float[positions];
        MotionOf(tokens, motionVector);
        var motion = _motion!.Score(motionVector, scratch);
        var frames = tokens.Length / (positions * dim);
        map[..positions].Clear();
        var worst = 0f;
        var worstFrame = frames - 1;
        for (var t = 0; t < frames; t++)
        for (var p = 0; p < positions; p++)
        {
            var d = local[p].Score(tokens.Slice((t * positions + p) * dim, dim), scratch);
            if (d > map[p]) map[p] = d;
            if (d > worst)
            {
                worst = d;
                worstFrame = t;
            }
        }
        if (IsCalibrated)
        {
            for (var p = 0; p < positions; p++) map[p] /= (float)LocalThreshold;
            var score = Math.Max(Math.Max(global / GlobalThreshold, worst / LocalThreshold), motion / MotionThreshold);
            return new WindowScore(global, worst, motion, score, worstFrame);
        }
        return new WindowScore(global, worst, motion, double.NaN, worstFrame);
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

    private sealed record Header(int Version, string Camera, ModelIdentity Model, int Grid, double GlobalThreshold, double LocalThreshold,
        double MotionThreshold, long Windows, long FeedbackWindows, DateTimeOffset Created, DateTimeOffset Updated);

    /// <summary>Writes atomically (temporary file, then rename): the running agent may reload it at any moment.</summary>
    public void Save(string path)
    {
        Updated = DateTimeOffset.UtcNow;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".partial";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(System.Text.Encoding.ASCII.GetBytes(Magic));
            writer.Write(JsonSerializer.Serialize(new Header(FormatVersion, Camera, Model, Grid, GlobalThreshold, LocalThreshold, MotionThreshold, Windows, FeedbackWindows, Created, Updated)));
            foreach (var stats in Local.Prepend(Global).Append(Motion))
            {
                writer.Write(stats.Count);
                foreach (var v in stats.Sum) writer.Write(v);
                for (var i = 0; i < stats.Dim; i++)
                for (var j = i; j < stats.Dim; j++) writer.Write(stats.Outer[i * stats.Dim + j]);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <exception cref="InvalidDataException">Not a profile, a newer format, or truncated.</exception>
    public static NormalProfile Load(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (System.Text.Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic) throw new InvalidDataException($"{path} is not a LineWatch profile");
            var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException($"{path}: empty header");
            if (header.Version != FormatVersion) throw new InvalidDataException($"{path}: profile format {header.Version}, this agent reads {FormatVersion}");
            var all = new GaussianStats[2 + header.Grid * header.Grid];
            for (var k = 0; k < all.Length; k++)
            {
                var dim = k == all.Length - 1 ? header.Grid * header.Grid : header.Model.Dim;
                var count = reader.ReadDouble();
                var sum = new double[dim];
                for (var i = 0; i < dim; i++) sum[i] = reader.ReadDouble();
                var outer = new double[dim * dim];
                for (var i = 0; i < dim; i++)
                for (var j = i; j < dim; j++) outer[i * dim + j] = reader.ReadDouble();
                all[k] = new GaussianStats(dim, count, sum, outer);
            }
            return new NormalProfile(header, all[0], all[1..^1], all[^1]);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException and not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: damaged or truncated profile ({e.Message})", e);
        }
    }
}
