using LineWatch.Capture;
using LineWatch.Scoring;
using LineWatch.Tests.Model;

namespace LineWatch.Tests.Scoring;

/// <summary>
/// The belt-pattern channel on a synthetic line: a belt along row strip 3 of a 7 x 7 grid (112 px), with slats every
/// 7 px and parts 10 px long every 30 px, moving 2 px per analysed frame, under sensor noise.
/// </summary>
public class BeltPatternTests
{
    private const int Grid = 7, Row = 3, Pitch = 30, PartLength = 10;
    private static readonly int K = FrameSignals.Length(Grid);
    private static readonly int Length = FrameSignals.ProfileLength(Grid);

    /// <summary>One frame's signals; <paramref name="missing"/> leaves out the part nearest that position, <paramref name="extra"/>
    /// puts a second part right behind it (a double), <paramref name="noise"/> is the sensor noise's spread.</summary>
    private static float[] Frame(Random random, int t, double noise = 1.5, int missing = -1, int extra = -1, bool down = false)
    {
        var frame = new float[K];
        for (var s = 0; s < 2 * Grid; s++)
        {
            var profile = frame.AsSpan(FrameSignals.Profile(Grid, s), Length);
            for (var x = 0; x < Length; x++) profile[x] = 100 + (float)(noise * Gaussian(random));
        }
        var belt = frame.AsSpan(FrameSignals.Profile(Grid, down ? Grid + Row : Row), Length);
        var offset = 2 * t % Pitch;
        for (var x = 0; x < Length; x++)
        {
            if (x % 7 == 0) belt[x] += 3; // slats
            var along = (x - offset + Pitch * 10) % Pitch;
            var start = x - along;
            var skip = missing >= 0 && Math.Abs(start + PartLength / 2 - missing) < Pitch / 2;
            if (along < PartLength && !skip) belt[x] += 60;
            var doubled = extra >= 0 && Math.Abs(start + PartLength / 2 - extra) < Pitch / 2;
            if (doubled && along >= PartLength + 2 && along < 2 * PartLength + 2) belt[x] += 60;
        }
        return frame;
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The belt's regions (row 3, or column 3) moving 2 px per frame, the rest still.</summary>
    private static (int[] Belt, MotionModel Motion) Motion(bool down = false)
    {
        var stats = new MotionStats(Grid);
        var random = new Random(7);
        for (var i = 0; i < 50; i++)
        {
            var flow = new float[2 * Grid * Grid];
            for (var r = 0; r < Grid * Grid; r++)
            {
                var onBelt = down ? r % Grid == Row : r / Grid == Row;
                flow[2 * r + (down ? 1 : 0)] = onBelt ? 2 + (float)(0.1 * Gaussian(random)) : (float)(0.05 * Gaussian(random));
            }
            stats.Add(flow);
        }
        var motion = stats.Fit();
        return (new LineSpeed(motion).Belt.ToArray(), motion);
    }

    private static PatternStats Learned(bool down = false)
    {
        var random = new Random(1);
        var (belt, motion) = Motion(down);
        var frames = Enumerable.Range(0, 600).Select(t => Frame(random, t, down: down)).ToList();
        return BeltPattern.Learn(Grid, belt, motion, frames);
    }

    private static float[] Window(Func<int, float[]> frame, int start) => Enumerable.Range(start, 8).SelectMany(frame).ToArray();

    [Fact]
    public void The_period_is_the_parts_pitch_not_the_slats()
    {
        var stats = Learned();
        Assert.InRange(stats.Period, Pitch - 1, Pitch + 1);
        Assert.True(stats.IsLearned);
    }

    [Fact]
    public void A_missing_or_doubled_part_stands_far_out_of_normal_windows()
    {
        var channel = new BeltPattern(Learned());
        var random = new Random(2);
        var normal = Enumerable.Range(0, 100).Max(i => channel.Score(Window(t => Frame(random, t), 8 * i), out _));
        // The gap (or the second part) stays in view for the window's 8 frames: it moves with the belt.
        var missing = channel.Score(Window(t => Frame(random, t, missing: 56 + 2 * (t - 800)), 800), out var region);
        var doubled = channel.Score(Window(t => Frame(random, t, extra: 56 + 2 * (t - 900)), 900), out _);

        Assert.True(missing > 2.25 * normal, $"missing {missing}, normal at most {normal}");
        Assert.True(doubled > 2.25 * normal, $"double {doubled}, normal at most {normal}");
        Assert.Equal(Row, region / Grid); // the map points at the belt's row
    }

    [Fact]
    public void Noise_that_lifts_every_position_together_is_taken_out()
    {
        var channel = new BeltPattern(Learned());
        var random = new Random(3);
        var normal = Enumerable.Range(0, 100).Max(i => channel.Score(Window(t => Frame(random, t), 8 * i), out _));
        // Three times the learning day's sensor noise: every neighbour difference grows, and the frame's median with it.
        var noisy = Enumerable.Range(0, 100).Max(i => channel.Score(Window(t => Frame(random, t, noise: 4.5), 8 * i), out _));
        Assert.True(noisy < 2.25 * normal, $"noisy {noisy}, normal at most {normal}");
    }

    [Fact]
    public void A_belt_running_down_the_picture_is_read_in_its_column()
    {
        var stats = Learned(down: true);
        Assert.InRange(stats.Period, Pitch - 1, Pitch + 1);
        var channel = new BeltPattern(stats);
        var random = new Random(4);
        var normal = Enumerable.Range(0, 50).Max(i => channel.Score(Window(t => Frame(random, t, down: true), 8 * i), out _));
        var missing = channel.Score(Window(t => Frame(random, t, missing: 56 + 2 * (t - 800), down: true), 800), out var region);
        Assert.True(missing > 2.25 * normal, $"missing {missing}, normal at most {normal}");
        Assert.Equal(Row, region % Grid);
    }

    [Fact]
    public void Without_a_belt_nothing_is_measured()
    {
        var stats = BeltPattern.Learn(Grid, [], Motion().Motion, [Frame(new Random(5), 0), Frame(new Random(5), 1)]);
        Assert.False(stats.IsLearned);
        var channel = new BeltPattern(stats);
        Assert.Equal(0, channel.Score(Window(t => Frame(new Random(6), t, missing: 50), 0), out var region));
        Assert.Equal(-1, region);
    }

    [Fact]
    public void Learning_finds_the_belt_and_its_period_and_sets_the_threshold_from_held_out_windows()
    {
        var model = new ModelIdentity("videomambapro", "custom", 4, 8, 112, "random seed 0", new string('c', 64));
        var fitter = new ProfileFitter("cam", model, new LineWatch.Configuration.LearningOptions { Margin = 2.5 }, 2);
        var random = new Random(11);
        var motion = Motion().Motion;
        float[] Tokens() => Enumerable.Range(0, 8 * Grid * Grid * 4).Select(_ => (float)Gaussian(random)).ToArray();
        // Windows of 8 frames, 4 apart, as the camera's sampling gives them.
        for (var i = 0; i < 400; i++) fitter.Add(Tokens(), Window(t => Flowing(Frame(random, t), motion), 4 * i));
        var result = fitter.Finish();
        var profile = result.Profile;

        Assert.InRange(profile.Pattern.Period, Pitch - 1, Pitch + 1);
        Assert.True(result.HeldOutPattern > 0, $"held out {result.HeldOutPattern}");
        Assert.Equal(2.5 * Math.Max(result.HeldOutPattern, 1), profile.PatternThreshold, 6);
        var missing = Window(t => Flowing(Frame(random, t, missing: 56 + 2 * (t - 2000)), motion), 2000);
        var score = profile.Score(Tokens(), missing, 0, null, null, new float[Grid * Grid], new float[8]);
        Assert.True(score.Pattern > profile.PatternThreshold, $"missing part {score.Pattern}, threshold {profile.PatternThreshold}");
        Assert.Equal(ScoreChannel.Pattern, profile.Dominant(score));
    }

    [Fact]
    public void A_profile_keeps_its_pattern_through_a_save_and_feedback_quiets_what_it_marks_normal()
    {
        // A profile on a 7 x 7 grid with tiny tokens (D = 4, 8 frames): only its pattern matters here.
        var model = new ModelIdentity("videomambapro", "custom", 4, 8, 112, "random seed 0", new string('c', 64));
        var profile = new NormalProfile("cam", model, Grid);
        var random = new Random(10);
        var (belt, motion) = Motion();
        for (var i = 0; i < 60; i++) profile.Add(new float[8 * Grid * Grid * 4], Window(t => Flowing(Frame(random, t), motion), 8 * i));
        profile.SetPattern(BeltPattern.Learn(Grid, belt, motion, Enumerable.Range(0, 600).Select(t => Frame(random, t)).ToList()));
        (profile.LocalThreshold, profile.MotionThreshold, profile.SpeedThreshold, profile.LightingThreshold, profile.ShiftThreshold, profile.PatternThreshold) = (1, 1, 1, 1, 1, 10);
        var missing = Window(t => Flowing(Frame(random, t, missing: 56 + 2 * (t - 800)), motion), 800);
        var before = profile.Score(new float[8 * Grid * Grid * 4], missing, 0, null, null, new float[Grid * Grid], new float[8]);

        using var dir = new TempFolder();
        var path = Path.Combine(dir.Path, "cam.profile");
        profile.Save(path);
        var loaded = NormalProfile.Load(path);
        var after = loaded.Score(new float[8 * Grid * Grid * 4], missing, 0, null, null, new float[Grid * Grid], new float[8]);
        Assert.Equal(before.Pattern, after.Pattern, 4);
        Assert.Equal(profile.Pattern.Period, loaded.Pattern.Period);
        Assert.True(before.Pattern > 5, $"pattern {before.Pattern}");

        for (var i = 0; i < 5; i++) loaded.AddFeedback(new float[8 * Grid * Grid * 4], missing);
        var marked = loaded.Score(new float[8 * Grid * Grid * 4], missing, 0, null, null, new float[Grid * Grid], new float[8]);
        Assert.True(marked.Pattern < before.Pattern / 2, $"after feedback {marked.Pattern}, before {before.Pattern}");
    }

    /// <summary>The frame with the belt's regions' flow as learned, so the profile's motion finds the belt in row 3.</summary>
    private static float[] Flowing(float[] frame, MotionModel motion)
    {
        for (var i = 0; i < 2 * Grid * Grid; i++) frame[i] = motion.Mean(i);
        return frame;
    }

    [Fact]
    public void Scoring_allocates_nothing()
    {
        var channel = new BeltPattern(Learned());
        var window = Window(t => Frame(new Random(8), t), 0);
        channel.Score(window, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) channel.Score(window, out _);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
