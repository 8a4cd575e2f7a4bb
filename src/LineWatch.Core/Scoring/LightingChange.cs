using LineWatch.Capture;

namespace LineWatch.Scoring;

/// <summary>
/// The explicit channel for light: how much the picture's mean luminance or its contrast has changed in the last
/// few seconds, as a log ratio (0.1 ≈ 10%). The backbone's features are meant to shrug off lighting — daylight
/// drifts, lamps flicker — so a change that matters (lights dimmed or failed, smoke or steam veiling the line)
/// is measured here, and only a fast one: each window is compared with the median of the windows
/// <see cref="FromSeconds"/> to <see cref="ToSeconds"/> earlier, which slow drift moves by a few percent at most.
/// One per camera, fed every window in order.
/// </summary>
public sealed class LightingChange
{
    public const double FromSeconds = 3, ToSeconds = 8;

    private readonly (float Luminance, float Contrast)[] _ring;
    private readonly int _from, _to;
    private readonly float[] _scratch;
    private int _next;
    private long _seen;

    /// <param name="windowsPerSecond">The camera's window rate (analysis fps / stride).</param>
    public LightingChange(double windowsPerSecond)
    {
        if (!(windowsPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(windowsPerSecond), $"{windowsPerSecond} windows per second");
        _from = Math.Max(1, (int)Math.Round(FromSeconds * windowsPerSecond));
        _to = Math.Max(_from, (int)Math.Round(ToSeconds * windowsPerSecond));
        _ring = new (float, float)[_to + 1];
        _scratch = new float[_to - _from + 1];
    }

    /// <summary>The window's light (mean over its frames of log luminance and log contrast).</summary>
    public static (float Luminance, float Contrast) Of(ReadOnlySpan<float> signals, int grid)
    {
        var stride = FrameSignals.Length(grid);
        var frames = signals.Length / stride;
        double luminance = 0, contrast = 0;
        for (var t = 0; t < frames; t++)
        {
            luminance += Math.Log(1 + signals[t * stride + FrameSignals.Luminance(grid)]);
            contrast += Math.Log(1 + signals[t * stride + FrameSignals.Contrast(grid)]);
        }
        return frames == 0 ? (0, 0) : ((float)(luminance / frames), (float)(contrast / frames));
    }

    /// <summary>Takes the next window; returns its change (the larger of the two log ratios), 0 until there is history to compare with.</summary>
    public double Next(ReadOnlySpan<float> signals, int grid)
    {
        var now = Of(signals, grid);
        _ring[_next] = now;
        _next = (_next + 1) % _ring.Length;
        _seen++;
        if (_seen <= _to) return 0;
        var luminance = Median(static v => v.Luminance);
        var contrast = Median(static v => v.Contrast);
        return Math.Max(Math.Abs(now.Luminance - luminance), Math.Abs(now.Contrast - contrast));
    }

    private float Median(Func<(float Luminance, float Contrast), float> part)
    {
        var count = _to - _from + 1;
        for (var age = _from; age <= _to; age++)
        {
            // _next is one past the newest; the newest has age 0.
            var slot = ((_next - 1 - age) % _ring.Length + _ring.Length) % _ring.Length;
            _scratch[age - _from] = part(_ring[slot]);
        }
        var values = _scratch.AsSpan(0, count);
        values.Sort();
        return values[count / 2];
    }
}
