using LineWatch.Configuration;
using LineWatch.Scoring;
using LineWatch.Tests.Configuration;

namespace LineWatch.Tests.Scoring;

public class NormalProfileTests
{
    // A tiny "model": D=8, T=2 frames, one patch position (16x16 image), so one flow region.
    private static readonly ModelIdentity Model = new("videomambapro", "custom", 8, 2, 16, "random seed 0", new string('a', 64));

    /// <summary>Tokens spread ±0.5 per feature; the belt moving right at 2 px per frame, give or take 0.2.</summary>
    private static (float[] Tokens, float[] Signals) NormalWindow(Random random)
    {
        var tokens = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float[] Frame() => [(float)(2 + 0.4 * (random.NextDouble() - 0.5)), (float)(0.4 * (random.NextDouble() - 0.5)), 120, 40];
        return (tokens, Frame().Concat(Frame()).ToArray());
    }

    private static NormalProfile Learned(int windows = 400)
    {
        var random = new Random(1);
        var profile = new NormalProfile("cam", Model, grid: 1);
        for (var i = 0; i < windows; i++)
        {
            var (t, s) = NormalWindow(random);
            profile.Add(t, s);
        }
        var heldOut = Enumerable.Range(0, 100).Select(_ => NormalWindow(random)).Select(w => profile.Score(w.Tokens, w.Signals, 0, new float[1], new float[8])).ToList();
        profile.LocalThreshold = 2 * heldOut.Max(s => s.Local);
        profile.MotionThreshold = 2 * heldOut.Max(s => s.Motion);
        profile.LightingThreshold = 0.15;
        return profile;
    }

    private static WindowScore Score(NormalProfile profile, (float[] Tokens, float[] Signals) window, double lighting = 0, float[]? map = null) =>
        profile.Score(window.Tokens, window.Signals, lighting, map ?? new float[1], new float[8]);

    [Fact]
    public void Normal_windows_score_below_one_and_an_odd_patch_far_above()
    {
        var profile = Learned();
        var random = new Random(9);
        var normal = Enumerable.Range(0, 50).Max(_ => Score(profile, NormalWindow(random)).Score);
        var odd = NormalWindow(random);
        Array.Fill(odd.Tokens, 3f, 8, 8); // the second frame's patch
        var map = new float[1];
        var score = Score(profile, odd, map: map);

        Assert.True(normal < 1, $"normal max {normal}");
        Assert.True(score.Score > 3, $"odd window {score.Score}");
        Assert.Equal(1, score.WorstFrame);
        Assert.True(map[0] > 1, "the anomaly map shows the patch");
    }

    [Theory]
    [InlineData(-2f, 0f)]   // running backwards at normal speed
    [InlineData(0f, 0f)]    // stopped
    [InlineData(3.6f, 0f)]  // 1.8 times too fast
    public void A_belt_moving_wrongly_alerts_through_the_motion_channel_alone(float dx, float dy)
    {
        var profile = Learned();
        var window = NormalWindow(new Random(4));
        window.Signals[4] = dx;
        window.Signals[5] = dy;
        var score = Score(profile, window);

        Assert.True(score.Motion / profile.MotionThreshold > 1, $"motion {score.Motion} vs threshold {profile.MotionThreshold}");
        Assert.True(score.Local / profile.LocalThreshold < 1, "the picture itself looks normal");
        Assert.True(score.Score > 1);
    }

    [Fact]
    public void The_oldest_frame_flow_is_not_part_of_the_window()
    {
        // Frame 0's flow leads in from the frame before the window (or is 0 after a reconnect): it must not count.
        var profile = Learned();
        var window = NormalWindow(new Random(5));
        window.Signals[0] = -50;
        Assert.True(Score(profile, window).Score < 1);
    }

    [Fact]
    public void A_change_of_light_beyond_its_threshold_alerts()
    {
        var profile = Learned();
        var window = NormalWindow(new Random(6));
        Assert.True(Score(profile, window, lighting: 0.1).Score < 1);
        Assert.Equal(0.4 / 0.15, Score(profile, window, lighting: 0.4).Score, 6);
    }

    [Fact]
    public void Saves_and_loads_to_the_same_scores()
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        var profile = Learned();
        profile.Save(path);
        var loaded = NormalProfile.Load(path);

        var window = NormalWindow(new Random(3));
        window.Signals[4] = 0; // a stopped belt: the motion statistics must survive the round trip too
        Assert.Equal(Score(profile, window).Score, Score(loaded, window).Score, 5);
        Assert.Equal(profile.Windows, loaded.Windows);
        Assert.Equal(Model, loaded.Model);
        Assert.Equal(profile.LightingThreshold, loaded.LightingThreshold);
        Assert.True(loaded.IsCalibrated);
    }

    [Fact]
    public void A_profile_for_another_model_or_camera_is_refused()
    {
        var profile = Learned(100);
        profile.EnsureMatches(Model, "cam");
        var otherWeights = Model with { Sha256 = new string('b', 64) };
        var otherWindow = Model with { Frames = 16 };
        Assert.Contains("learn again", Assert.Throws<ProfileMismatchException>(() => profile.EnsureMatches(otherWeights, "cam")).Message);
        Assert.Contains("T=16", Assert.Throws<ProfileMismatchException>(() => profile.EnsureMatches(otherWindow, "cam")).Message);
        Assert.Contains("belongs to camera cam", Assert.Throws<ProfileMismatchException>(() => profile.EnsureMatches(Model, "press")).Message);
    }

    [Fact]
    public void A_file_that_is_not_a_profile_is_truncated_or_of_an_older_format_is_a_clear_error()
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        File.WriteAllText(path, "hello");
        Assert.Contains("not a LineWatch profile", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
        Learned(100).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);

        WriteHeader(path, """{"Version":1,"Camera":"cam","Model":null,"Grid":1}""");
        Assert.Contains("learn the camera again", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(1, -3)]
    [InlineData(1, 100000)]
    public void A_parseable_header_with_an_impossible_shape_is_refused_by_name(int grid, int dim)
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        WriteHeader(path, "{\"Version\":2,\"Camera\":\"cam\",\"Grid\":" + grid + ",\"Model\":{\"Arch\":\"videomambapro\",\"Size\":\"custom\",\"Dim\":" + dim +
            ",\"Frames\":2,\"ImageSize\":16,\"Weights\":\"w\",\"Sha256\":\"s\"}}");
        Assert.Contains("not a profile this agent can use", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    private static void WriteHeader(string path, string json)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(System.Text.Encoding.ASCII.GetBytes("LWPROFILE"));
        writer.Write(json);
    }

    [Fact]
    public void Feedback_makes_the_same_situation_normal()
    {
        var profile = Learned();
        var situation = NormalWindow(new Random(7));
        for (var i = 0; i < 8; i++) situation.Tokens[i] = situation.Tokens[8 + i] = i % 2 == 0 ? 1.2f : -1.2f;
        Assert.True(Score(profile, situation).Score > 1, "the situation alerts before feedback");

        for (var i = 0; i < 8; i++) profile.AddFeedback(situation.Tokens, situation.Signals);

        Assert.True(Score(profile, situation).Score < 1, "and not after");
        Assert.Equal(8, profile.FeedbackWindows);
    }
}
