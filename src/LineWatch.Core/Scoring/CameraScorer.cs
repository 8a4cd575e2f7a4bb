namespace LineWatch.Scoring;

/// <summary>
/// One camera's scoring state: its profile and the recent light levels that the lighting channel compares each
/// window with. Windows must come in time order; used by one thread at a time (the inference thread, or an
/// offline evaluation).
/// </summary>
public sealed class CameraScorer(NormalProfile profile, double windowsPerSecond)
{
    private readonly LightingChange _lighting = new(windowsPerSecond);

    public NormalProfile Profile => profile;

    public WindowScore Score(ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals, Span<float> map, Span<float> scratch) =>
        profile.Score(tokens, signals, _lighting.Next(signals, profile.Grid), map, scratch);
}
