namespace LineWatch.Scoring;

/// <summary>
/// One camera's scoring state: its profile, the recent light levels that the lighting channel compares each
/// window with, and the recent local and flow levels (<see cref="LocalBaseline"/>, <see cref="MotionBaseline"/>). Windows must come in
/// time order; used by one thread at a time (the inference thread, or an
/// offline evaluation).
/// </summary>
public sealed class CameraScorer(NormalProfile profile, double windowsPerSecond)
{
    private readonly LightingChange _lighting = new(windowsPerSecond);
    private readonly LocalBaseline _baseline = new(profile.Grid * profile.Grid, windowsPerSecond);
    private readonly MotionBaseline _motionBaseline = new(profile.Grid * profile.Grid, windowsPerSecond);

    public NormalProfile Profile => profile;

    /// <param name="scratch">Room for <see cref="ScratchLength"/> floats.</param>
    public WindowScore Score(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals, Span<float> map, Span<float> scratch) =>
        profile.Score(tokens, signals, _lighting.Next(signals, profile.Grid), _baseline, _motionBaseline, map, scratch);

    public static int ScratchLength(ModelIdentity model) => 2 * model.Dim;
}
