using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

/// <summary>
/// The scorer with a camera's regions: the same anomaly alerts in a watched patch and scores normal in an
/// excluded one, in both channels, and the heatmap shows nothing where the regions leave the picture out.
/// </summary>
public class MaskedScoringTests
{
    // D=8, T=2 frames, a 32x32 image: a 2 x 2 grid of patches (positions 0 1 / 2 3).
    private static readonly ModelIdentity Model = new("videomambapro", "custom", 8, 2, 32, "random seed 0", new string('b', 64));
    private const int Grid = 2, Positions = 4, Dim = 8;
    private static readonly int Stride = FrameSignals.Length(Grid);

    private static readonly RegionOptions BottomRight = RegionMaskTests.Region(RegionMode.Exclude, 0.5, 0.5, 1, 0.5, 1, 1, 0.5, 1);
    private static readonly RegionOptions WatchBottomRight = RegionMaskTests.Region(RegionMode.Watch, 0.5, 0.5, 1, 0.5, 1, 1, 0.5, 1);

    private static (float[] Tokens, float[] Signals) NormalWindow(Random random)
    {
        var tokens = Enumerable.Range(0, 2 * Positions * Dim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] Frame()
        {
            var frame = new float[Stride];
            for (var r = 0; r < Positions; r++)
            {
                frame[2 * r] = (float)(2 + 0.4 * (random.NextDouble() - 0.5));
                frame[2 * r + 1] = (float)(0.4 * (random.NextDouble() - 0.5));
            }
            frame[FrameSignals.Luminance(Grid)] = 120;
            frame[FrameSignals.Contrast(Grid)] = 40;
            return frame;
        }
        return (tokens, Frame().Concat(Frame()).ToArray());
    }

    private static NormalProfile Learned()
    {
        var random = new Random(1);
        var profile = new NormalProfile("cam", Model, Grid);
        for (var i = 0; i < 400; i++)
        {
            var (t, s) = NormalWindow(random);
            profile.Add(t, s);
        }
        var heldOut = Enumerable.Range(0, 100).Select(_ => NormalWindow(random))
            .Select(w => profile.Score(w.Tokens, w.Signals, 0, null, null, new float[Positions], new float[2 * Dim])).ToList();
        profile.LocalThreshold = 2 * heldOut.Max(s => s.Local);
        profile.MotionThreshold = 2 * heldOut.Max(s => s.Motion);
        profile.SpeedThreshold = Math.Max(0.2, 2 * heldOut.Max(s => s.Speed));
        profile.LightingThreshold = 0.15;
        profile.ShiftThreshold = 0.25;
        profile.PatternThreshold = 3;
        return profile;
    }

    /// <summary>Position 3 (bottom right) looks odd in both frames.</summary>
    private static (float[] Tokens, float[] Signals) OddBottomRight()
    {
        var window = NormalWindow(new Random(9));
        for (var t = 0; t < 2; t++) Array.Fill(window.Tokens, 3f, (t * Positions + 3) * Dim, Dim);
        return window;
    }

    private static (WindowScore Score, float[] Map) Score(NormalProfile profile, (float[] Tokens, float[] Signals) window, params RegionOptions[] regions)
    {
        var scorer = new CameraScorer(profile, windowsPerSecond: 2, regions.Length == 0 ? null : RegionMask.Build(regions, Grid));
        var map = new float[Positions];
        return (scorer.Score(window.Tokens, window.Signals, map, new float[CameraScorer.ScratchLength(Model)]), map);
    }

    [Fact]
    public void An_odd_patch_in_an_excluded_region_scores_normal_and_the_same_patch_watched_alerts()
    {
        var profile = Learned();
        var odd = OddBottomRight();

        var unmasked = Score(profile, odd);
        var excluded = Score(profile, odd, BottomRight);
        var watched = Score(profile, odd, WatchBottomRight);

        Assert.True(unmasked.Score.Score > 3, $"without regions {unmasked.Score.Score}");
        Assert.True(excluded.Score.Score < 1, $"excluded {excluded.Score.Score}");
        Assert.Equal(0, excluded.Map[3]);
        Assert.True(watched.Score.Score > 3, $"watched {watched.Score.Score}");
        Assert.True(watched.Map[3] > 1);
        Assert.Equal([0f, 0f, 0f], watched.Map[..3]);
    }

    [Fact]
    public void A_stopped_belt_in_an_excluded_region_does_not_alert_through_the_motion_channel()
    {
        var profile = Learned();
        var window = NormalWindow(new Random(4));
        // Position 3's flow stops in the window's second frame (the first frame's flow is not part of the window).
        window.Signals[Stride + 6] = 0;
        window.Signals[Stride + 7] = 0;

        Assert.True(Score(profile, window).Score.Motion / profile.MotionThreshold > 1, "the stop alerts without regions");
        var excluded = Score(profile, window, BottomRight).Score;
        Assert.True(excluded.Score < 1, $"excluded {excluded.Score}");
        Assert.Equal(0, excluded.Motion / profile.MotionThreshold, 0.99);
    }

    [Fact]
    public void The_lighting_channel_still_judges_the_whole_picture()
    {
        var profile = Learned();
        var window = NormalWindow(new Random(6));
        var scorer = new CameraScorer(profile, 2, RegionMask.Build([WatchBottomRight], Grid));
        var score = profile.Score(window.Tokens, window.Signals, 0.4, null, null, new float[Positions], new float[2 * Dim], scorer.Mask);
        Assert.Equal(0.4 / 0.15, score.Score, 6);
    }

    [Fact]
    public void New_regions_take_effect_from_the_next_window()
    {
        var profile = Learned();
        var odd = OddBottomRight();
        var scorer = new CameraScorer(profile, windowsPerSecond: 2);
        var map = new float[Positions];
        var scratch = new float[CameraScorer.ScratchLength(Model)];

        Assert.True(scorer.Score(odd.Tokens, odd.Signals, map, scratch).Score > 3);
        scorer.Mask = RegionMask.Build([BottomRight], Grid);
        Assert.True(scorer.Score(odd.Tokens, odd.Signals, map, scratch).Score < 1);
        scorer.Mask = null;
        Assert.True(scorer.Score(odd.Tokens, odd.Signals, map, scratch).Score > 3);
    }

    [Fact]
    public void A_mask_for_another_grid_is_refused()
    {
        var profile = Learned();
        var odd = OddBottomRight();
        Assert.Throws<ArgumentException>(() =>
            profile.Score(odd.Tokens, odd.Signals, 0, null, null, new float[Positions], new float[2 * Dim], RegionMask.Build([BottomRight], 3)));
    }
}
