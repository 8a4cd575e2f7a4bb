using LineWatch.Capture;
using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class LightingChangeTests
{
    private const int Grid = 1;

    /// <summary>A two-frame window of the given luminance and contrast.</summary>
    private static float[] Window(double luminance, double contrast)
    {
        var k = FrameSignals.Length(Grid);
        var signals = new float[2 * k];
        for (var t = 0; t < 2; t++)
        {
            signals[t * k + FrameSignals.Luminance(Grid)] = (float)luminance;
            signals[t * k + FrameSignals.Contrast(Grid)] = (float)contrast;
        }
        return signals;
    }

    [Fact]
    public void Nothing_is_reported_until_there_is_history_to_compare_with()
    {
        var lighting = new LightingChange(windowsPerSecond: 2);
        // 8 s at 2 windows/s: the 16 windows before the first comparison, whatever they show.
        for (var i = 0; i <= 16; i++) Assert.Equal(0, lighting.Next(Window(i % 2 == 0 ? 20 : 200, 40), Grid));
        Assert.True(lighting.Next(Window(20, 40), Grid) > 1);
    }

    [Fact]
    public void Slow_drift_stays_small_and_lights_failing_is_seen_at_once()
    {
        var lighting = new LightingChange(windowsPerSecond: 2);
        var largestDrift = 0.0;
        // Ten minutes of daylight drifting ±20% over two minutes, plus 3% flicker.
        for (var i = 0; i < 1200; i++)
        {
            var t = i / 2.0;
            var light = (1 + 0.2 * Math.Sin(2 * Math.PI * t / 120)) * (1 + 0.03 * Math.Sin(i * 2.1));
            largestDrift = Math.Max(largestDrift, lighting.Next(Window(130 * light, 40 * light), Grid));
        }
        Assert.InRange(largestDrift, 0.01, 0.1);
        // The lights go down to a third: the very next window differs by about log(3) from the seconds before.
        Assert.InRange(lighting.Next(Window(130.0 / 3, 40.0 / 3), Grid), 0.9, 1.2);
    }

    [Fact]
    public void A_veil_that_halves_the_contrast_at_the_same_brightness_is_seen()
    {
        var lighting = new LightingChange(windowsPerSecond: 2);
        for (var i = 0; i < 30; i++) lighting.Next(Window(130, 40), Grid);
        Assert.InRange(lighting.Next(Window(130, 20), Grid), Math.Log(41.0 / 21) - 0.01, Math.Log(41.0 / 21) + 0.01);
    }

    [Fact]
    public void A_window_rate_of_zero_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new LightingChange(0));
}
