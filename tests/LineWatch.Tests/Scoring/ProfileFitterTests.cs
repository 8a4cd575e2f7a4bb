using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class ProfileFitterTests
{
    private static readonly ModelIdentity Model = new("videomambapro", "custom", 8, 2, 16, "random seed 0", new string('a', 64));

    private static List<(float[] Tokens, float[] Signals)> Feed(ProfileFitter fitter, int windows, Func<int, double> luminance)
    {
        var fed = new List<(float[], float[])>();
        var random = new Random(1);
        var k = FrameSignals.Length(1);
        for (var i = 0; i < windows; i++)
        {
            var tokens = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var signals = new float[2 * k];
            for (var t = 0; t < 2; t++)
            {
                signals[t * k] = (float)(2 + 0.4 * (random.NextDouble() - 0.5));
                signals[t * k + FrameSignals.RowShift(1, 0)] = (float)(2 + 0.6 * (random.NextDouble() - 0.5));
                signals[t * k + FrameSignals.Luminance(1)] = (float)luminance(i);
                signals[t * k + FrameSignals.Contrast(1)] = 40;
            }
            fitter.Add(tokens, signals);
            fed.Add((tokens, signals));
        }
        return fed;
    }

    [Fact]
    public void Thresholds_are_the_margin_times_the_largest_held_out_distance()
    {
        var options = new LearningOptions { Margin = 2.5 };
        var fitter = new ProfileFitter("cam", Model, options, windowsPerSecond: 2);
        var fed = Feed(fitter, 400, _ => 120);
        var result = fitter.Finish();

        // Every fifth block of 20 windows is held out: 80 of 400.
        Assert.Equal(80, result.HeldOutWindows);
        Assert.Equal(320, result.FittedWindows);
        // The largest held-out window reaches 1/margin of the threshold in its worst channel, and no further.
        var heldOut = fed.Where((_, i) => i / 20 % 5 == 4);
        Assert.Equal(1 / 2.5, heldOut.Max(w => result.Profile.Score(w.Tokens, w.Signals, 0, null, null, new float[1], new float[16]).Score), 6);
        Assert.True(result.Profile.IsCalibrated);
        // The typical level is the held-out windows' median local distance.
        var locals = heldOut.Select(w => result.Profile.Score(w.Tokens, w.Signals, 0, null, null, new float[1], new float[16]).Local).Order().ToList();
        Assert.Equal(locals[locals.Count / 2], result.Profile.TypicalLocal[0], 5);
    }

    [Fact]
    public void The_lighting_threshold_follows_the_light_changes_seen_while_learning_but_never_drops_below_the_minimum()
    {
        var steady = new ProfileFitter("cam", Model, new LearningOptions(), 2);
        Feed(steady, 400, _ => 120);
        Assert.Equal(0.15, steady.Finish().Profile.LightingThreshold, 6);

        // Light that steps between 100 and 140 every 10 s while learning: a change of log(141/101) is normal here.
        var flickering = new ProfileFitter("cam", Model, new LearningOptions { Margin = 2 }, 2);
        Feed(flickering, 400, i => i / 20 % 2 == 0 ? 100 : 140);
        Assert.Equal(2 * Math.Log(141.0 / 101), flickering.Finish().Profile.LightingThreshold, 3);
    }

    [Fact]
    public void The_line_speed_threshold_is_the_margin_times_the_held_out_change_but_never_below_the_minimum()
    {
        // The belt's flow varies by ±0.2 around 2 px: held-out windows reach about 10% off normal speed.
        var fitter = new ProfileFitter("cam", Model, new LearningOptions { Margin = 2.5 }, 2);
        var fed = Feed(fitter, 400, _ => 120);
        var profile = fitter.Finish().Profile;
        var heldOut = fed.Where((_, i) => i / 20 % 5 == 4).Max(w => profile.Score(w.Tokens, w.Signals, 0, null, null, new float[1], new float[16]).Speed);
        Assert.Equal(2.5 * heldOut, profile.SpeedThreshold, 6);

        var lenient = new ProfileFitter("cam", Model, new LearningOptions { Margin = 2.5, MinSpeedChange = 0.5 }, 2);
        Feed(lenient, 400, _ => 120);
        Assert.Equal(0.5, lenient.Finish().Profile.SpeedThreshold, 6);
    }

    [Fact]
    public void The_belt_shift_threshold_is_the_margin_times_the_held_out_change_but_never_below_the_line_speeds_minimum()
    {
        // The belt strip's shift varies by ±0.3 around 2 px: held-out windows reach about 15% off normal.
        var fitter = new ProfileFitter("cam", Model, new LearningOptions { Margin = 2.5 }, 2);
        var fed = Feed(fitter, 400, _ => 120);
        var result = fitter.Finish();
        var heldOut = fed.Where((_, i) => i / 20 % 5 == 4).Max(w => result.Profile.Score(w.Tokens, w.Signals, 0, null, null, new float[1], new float[16]).Shift);
        Assert.InRange(heldOut, 0.1, 0.15);
        Assert.Equal(heldOut, result.HeldOutShift, 6);
        Assert.Equal(2.5 * heldOut, result.Profile.ShiftThreshold, 6);

        var lenient = new ProfileFitter("cam", Model, new LearningOptions { Margin = 2.5, MinSpeedChange = 0.5 }, 2);
        Feed(lenient, 400, _ => 120);
        Assert.Equal(0.5, lenient.Finish().Profile.ShiftThreshold, 6);
    }

    [Fact]
    public void Too_little_footage_is_refused_with_the_counts()
    {
        var fitter = new ProfileFitter("cam", Model, new LearningOptions(), 2);
        Feed(fitter, 40, _ => 120);
        var error = Assert.Throws<InvalidOperationException>(() => fitter.Finish());
        Assert.Contains("not enough normal footage: 40 windows to fit and 0 to calibrate", error.Message);
    }

    [Fact]
    public void Each_position_counts_in_its_own_spread_so_the_busiest_one_does_not_set_the_threshold_of_the_quiet_ones()
    {
        // A 3 x 3 grid. Position 0 is a station: one window in 25 shows something large there (a part pushed through).
        // The other positions only see noise.
        var model = Model with { ImageSize = 48 };
        const int positions = 9, dim = 8, frames = 2;
        var random = new Random(5);
        (float[] Tokens, float[] Signals) Window(int i, int odd = -1, float offset = 0)
        {
            var tokens = new float[frames * positions * dim];
            for (var k = 0; k < tokens.Length; k++) tokens[k] = (float)(random.NextDouble() - 0.5);
            for (var t = 0; t < frames; t++)
            for (var d = 0; d < dim; d++)
            {
                if (i % 25 == 13) tokens[(t * positions + 0) * dim + d] += 4;
                if (odd >= 0) tokens[(t * positions + odd) * dim + d] += offset;
            }
            var signals = new float[frames * FrameSignals.Length(3)];
            for (var t = 0; t < frames; t++)
            {
                for (var r = 0; r < positions; r++) signals[t * FrameSignals.Length(3) + 2 * r] = (float)(2 + 0.4 * (random.NextDouble() - 0.5));
                signals[t * FrameSignals.Length(3) + FrameSignals.Luminance(3)] = 120;
                signals[t * FrameSignals.Length(3) + FrameSignals.Contrast(3)] = 40;
            }
            return (tokens, signals);
        }
        var fitter = new ProfileFitter("cam", model, new LearningOptions(), 2);
        var fed = Enumerable.Range(0, 400).Select(i => Window(i)).ToList();
        foreach (var w in fed) fitter.Add(w.Tokens, w.Signals);
        var profile = fitter.Finish().Profile;
        double Score((float[] Tokens, float[] Signals) w) => profile.Score(w.Tokens, w.Signals, 0, null, null, new float[positions], new float[2 * dim]).Score;

        var spread = profile.LocalSpread.ToArray();
        Assert.True(spread[0] > 1.2 * spread[1..].Max(), $"the station's unit {spread[0]} against the others' {string.Join(", ", spread[1..])}");
        Assert.True(fed.Where((_, i) => i / 20 % 5 == 4).Max(Score) < 1, "held-out windows stay below the threshold");
        // The same object, in a quiet corner and at the station: only the quiet corner alerts.
        Assert.True(Score(Window(1, odd: 8, offset: 1.3f)) >= 1, "an object in a quiet position alerts");
        Assert.True(Score(Window(1, odd: 0, offset: 1.3f)) < 1, "the same at the station, whose normal is wider, does not");
    }
}
