using LineWatch.Configuration;
using LineWatch.Scoring;
using LineWatch.Tests.Configuration;

namespace LineWatch.Tests.Scoring;

public class NormalProfileTests
{
    // A tiny "model": D=8, T=2 frames, one patch position (16x16 image).
    private static readonly ModelIdentity Model = new("videomambapro", "custom", 8, 2, 16, "random seed 0", new string('a', 64));

    private static (float[] Embedding, float[] Tokens) NormalWindow(Random random)
    {
        float[] Vector() => Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var tokens = Vector().Concat(Vector()).ToArray();
        return (Vector(), tokens);
    }

    private static NormalProfile Learned(int windows = 400)
    {
        var random = new Random(1);
        var profile = new NormalProfile("cam", Model, grid: 1);
        for (var i = 0; i < windows; i++)
        {
            var (e, t) = NormalWindow(random);
            profile.Add(e, t);
        }
        var map = new float[1];
        var scratch = new float[8];
        var heldOut = Enumerable.Range(0, 100).Select(_ => NormalWindow(random)).Select(w => profile.Score(w.Embedding, w.Tokens, map, scratch)).ToList();
        profile.GlobalThreshold = ThresholdCalibration.Calibrate(heldOut.Select(s => s.Global).ToList(), 57_600);
        profile.LocalThreshold = ThresholdCalibration.Calibrate(heldOut.Select(s => s.Local).ToList(), 57_600);
        profile.MotionThreshold = ThresholdCalibration.Calibrate(heldOut.Select(s => s.Motion).ToList(), 57_600);
        return profile;
    }

    [Fact]
    public void Normal_windows_score_below_one_and_an_odd_one_far_above()
    {
        var profile = Learned();
        var random = new Random(9);
        var map = new float[1];
        var scratch = new float[8];
        var normal = Enumerable.Range(0, 50).Select(_ => NormalWindow(random)).Max(w => profile.Score(w.Embedding, w.Tokens, map, scratch).Score);
        var odd = Enumerable.Repeat(3f, 8).ToArray();
        var score = profile.Score(odd, odd.Concat(odd).ToArray(), map, scratch);

        Assert.True(normal < 1, $"normal max {normal}");
        Assert.True(score.Score > 5, $"odd window {score.Score}");
        Assert.True(map[0] > 1, "the anomaly map shows the patch");
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
        var a = profile.Score(window.Embedding, window.Tokens, new float[1], new float[8]);
        var b = loaded.Score(window.Embedding, window.Tokens, new float[1], new float[8]);
        Assert.Equal(a.Score, b.Score, 5);
        Assert.Equal(profile.Windows, loaded.Windows);
        Assert.Equal(Model, loaded.Model);
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
    public void A_file_that_is_not_a_profile_or_is_truncated_is_a_clear_error()
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        File.WriteAllText(path, "hello");
        Assert.Contains("not a LineWatch profile", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
        Learned(100).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    [Fact]
    public void Feedback_makes_the_same_situation_normal()
    {
        var profile = Learned();
        var situation = Enumerable.Range(0, 8).Select(i => i % 2 == 0 ? 1.2f : -1.2f).ToArray();
        var tokens = situation.Concat(situation).ToArray();
        var map = new float[1];
        var scratch = new float[8];
        Assert.True(profile.Score(situation, tokens, map, scratch).Score > 1, "the situation alerts before feedback");

        for (var i = 0; i < 8; i++) profile.AddFeedback(situation, tokens);

        Assert.True(profile.Score(situation, tokens, map, scratch).Score < 1, "and not after");
        Assert.Equal(8, profile.FeedbackWindows);
    }
}
