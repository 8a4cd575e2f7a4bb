namespace LineWatch.Simulation;

/// <summary>
/// The line's lights failing for a few seconds, one of two ways drawn from the fault's own seed: dimming to
/// about 40% (a quick fade down, a hold, a quick fade back), or a failing tube that flickers irregularly between
/// dim and nearly off. Never back to full light inside the fault, so every frame of it is darker than normal.
/// </summary>
internal sealed class LightsFailure
{
    private readonly double[]? _flicker;        // light level per tenth of a second, when failing

    public LightsFailure(Random random, double seconds)
    {
        if (random.Next(2) == 0) return;
        _flicker = new double[(int)Math.Ceiling(seconds * 10) + 1];
        for (var i = 0; i < _flicker.Length; i++) _flicker[i] = random.NextDouble() < 0.25 ? 0.15 + 0.1 * random.NextDouble() : 0.4 + 0.4 * random.NextDouble();
    }

    /// <summary>The light, as a fraction of normal, <paramref name="elapsed"/> s into a fault of <paramref name="seconds"/> s.</summary>
    public double LightAt(double elapsed, double seconds)
    {
        if (_flicker is not null) return _flicker[Math.Clamp((int)(elapsed * 10), 0, _flicker.Length - 1)];
        var fade = Math.Clamp(Math.Min(elapsed, seconds - elapsed) / 0.3, 0.25, 1);     // 0.3 s fades
        return 1 - 0.6 * fade;
    }
}
