namespace LineWatch.Scoring;

/// <summary>
/// One camera's scoring state: its profile, the patches its regions leave in the score, the recent light levels
/// that the lighting channel compares each window with, and the recent local and flow levels
/// (<see cref="LocalBaseline"/>, <see cref="MotionBaseline"/>). Windows must come in time order; used by one thread
/// at a time (the inference thread, or an offline evaluation), except <see cref="Mask"/>, which any thread may
/// replace whole.
/// </summary>
public sealed class CameraScorer(NormalProfile profile, double windowsPerSecond, RegionMask? mask = null)
{
    private readonly LightingChange _lighting = new(windowsPerSecond);
    private readonly LocalBaseline _baseline = new(profile.Grid * profile.Grid, windowsPerSecond);
    private readonly MotionBaseline _motionBaseline = new(profile.Grid * profile.Grid, windowsPerSecond);
    private volatile RegionMask? _mask = mask;

    public NormalProfile Profile => profile;

    /// <summary>The positions scored; null scores all. Built off the scoring thread and swapped in whole.</summary>
    public RegionMask? Mask
    {
        get => _mask;
        set => _mask = value;
    }

    /// <param name="scratch">Room for <see cref="ScratchLength"/> floats.</param>
    public WindowScore Score(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals, Span<float> map, Span<float> scratch) =>
        profile.Score(tokens, signals, _lighting.Next(signals, profile.Grid), _baseline, _motionBaseline, map, scratch, _mask);

    public static int ScratchLength(ModelIdentity model) => 2 * model.Dim;
}
