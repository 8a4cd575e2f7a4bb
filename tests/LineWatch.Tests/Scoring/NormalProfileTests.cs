using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.Scoring;
using LineWatch.Tests.Configuration;

namespace LineWatch.Tests.Scoring;

public class NormalProfileTests
{
    // A tiny "model": D=8, T=2 frames, one patch position (16x16 image), so one flow region.
    internal static readonly ModelIdentity Model = new("videomambapro", "custom", 8, 2, 16, "random seed 0", new string('a', 64));

    // A frame's signals: the region's flow (dx, dy), light, contrast, the row strip's shift, the column strip's shift, the
    // strips' profiles (a flat grey picture: no pattern to learn).
    private static readonly int K = FrameSignals.Length(1);
    private static readonly float[] Flat = Enumerable.Repeat(120f, 2 * FrameSignals.ProfileLength(1)).ToArray();

    /// <summary>Tokens spread ±0.5 per feature; the belt moving right at 2 px per frame, give or take 0.2, by its flow and
    /// by its strips' shifts.</summary>
    private static (float[] Tokens, float[] Signals) NormalWindow(Random random)
    {
        var tokens = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        float Noise() => (float)(0.4 * (random.NextDouble() - 0.5));
        float[] Frame() => [2 + Noise(), Noise(), 120, 40, 2 + Noise(), Noise(), 2 + Noise(), Noise(), .. Flat];
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
        var heldOut = Enumerable.Range(0, 100).Select(_ => NormalWindow(random)).Select(w => profile.Score(w.Tokens, w.Signals, 0, null, null, new float[1], new float[16])).ToList();
        profile.LocalThreshold = 2 * heldOut.Max(s => s.Local);
        profile.MotionThreshold = 2 * heldOut.Max(s => s.Motion);
        profile.SpeedThreshold = 0.2;
        profile.LightingThreshold = 0.15;
        profile.ShiftThreshold = 0.25;
        profile.PatternThreshold = 3;
        return profile;
    }

    private static WindowScore Score(NormalProfile profile, (float[] Tokens, float[] Signals) window, double lighting = 0, float[]? map = null) =>
        profile.Score(window.Tokens, window.Signals, lighting, null, null, map ?? new float[1], new float[16]);

    [Fact]
    public void Normal_windows_score_below_one_and_an_odd_patch_far_above()
    {
        var profile = Learned();
        var random = new Random(9);
        var normal = Enumerable.Range(0, 50).Max(_ => Score(profile, NormalWindow(random)).Score);
        var odd = NormalWindow(random);
        Array.Fill(odd.Tokens, 3f); // the patch looks odd in both frames
        var map = new float[1];
        var score = Score(profile, odd, map: map);

        Assert.True(normal < 1, $"normal max {normal}");
        Assert.True(score.Score > 3, $"odd window {score.Score}");
        Assert.Equal(1, score.WorstFrame); // the snapshot shows the window's newest frame
        Assert.True(map[0] > 1, "the anomaly map shows the patch");
    }

    [Fact]
    public void The_local_channel_judges_the_window_average_so_frame_to_frame_noise_cancels()
    {
        // Both frames of the patch far off, in opposite directions: noise that is independent from frame to frame.
        // Their average is an ordinary token; the same deviation in both frames is a real change.
        var profile = Learned();
        var noisy = NormalWindow(new Random(11));
        var lasting = NormalWindow(new Random(11));
        for (var i = 0; i < 8; i++)
        {
            var sign = i % 2 == 0 ? 1 : -1;
            noisy.Tokens[i] = lasting.Tokens[i] = 3 * sign;
            noisy.Tokens[8 + i] = -3 * sign;
            lasting.Tokens[8 + i] = 3 * sign;
        }

        Assert.True(Score(profile, noisy).Score < 1, $"noise {Score(profile, noisy).Score}");
        Assert.True(Score(profile, lasting).Score > 3, $"lasting change {Score(profile, lasting).Score}");
    }

    [Fact]
    public void The_recent_level_lowers_the_local_distance_only_when_a_baseline_is_given()
    {
        // Calibration scores windows on their own; a camera's scorer passes its baseline, which after enough
        // history at a raised level subtracts the excess.
        var profile = Learned();
        profile.SetTypicalLocal([0.1f]);
        var raised = NormalWindow(new Random(12));
        for (var i = 0; i < 16; i++) raised.Tokens[i] = 1.2f; // the same odd look in every window, as under drifted light
        var alone = profile.Score(raised.Tokens, raised.Signals, 0, null, null, new float[1], new float[16]);
        var baseline = new LocalBaseline(1, windowsPerSecond: 2);
        WindowScore withBaseline = default;
        for (var k = 0; k < 60; k++) withBaseline = profile.Score(raised.Tokens, raised.Signals, 0, baseline, null, new float[1], new float[16]);

        Assert.True(withBaseline.Local < alone.Local, $"{withBaseline.Local} vs {alone.Local}");
        Assert.Equal(Math.Max(alone.Local - profile.LocalThreshold, 0.1), withBaseline.Local, 4);
    }

    [Fact]
    public void A_belt_at_half_speed_alerts_through_the_line_speed_channel()
    {
        var profile = Learned();
        var window = NormalWindow(new Random(4));
        window.Signals[K] = 1f;
        var score = Score(profile, window);

        Assert.Equal(0.5, score.Speed, 1);
        Assert.True(score.Speed / profile.SpeedThreshold > 1, $"line speed {score.Speed} vs threshold {profile.SpeedThreshold}");
        Assert.Equal([0], profile.BeltRegions.ToArray());
    }

    [Fact]
    public void A_belt_whose_strip_shifts_faster_than_its_flow_reads_alerts_through_the_belt_shift_channel()
    {
        // Scene 124: Farneback read a belt sped up 1.8x as 27% faster; the strip's phase correlation read +71-74%.
        var profile = Learned();
        var window = NormalWindow(new Random(4));
        window.Signals[K] = 2.5f;
        window.Signals[K + 4] = 3.6f;
        window.Signals[K + 5] = 0;
        var map = new float[1];
        var score = Score(profile, window, map: map);

        Assert.Equal(0.8, score.Shift, 1);
        Assert.True(score.Speed / profile.SpeedThreshold < 2, $"line speed {score.Speed}");
        Assert.Equal(ScoreChannel.Shift, profile.Dominant(score));
        Assert.Equal(score.Shift / profile.ShiftThreshold, score.Score, 6);
        Assert.Equal(score.Score, map[0], 5); // the belt's regions show it on the map
    }

    [Fact]
    public void After_a_start_line_speed_waits_for_the_recent_level_while_motion_alerts_from_the_first_window()
    {
        // Under flicker and compression the belt reads a quarter slow from the first window of a (re)started camera; the
        // recent level that takes such an offset out needs 10 s of history. Until then the line speed is not judged, and
        // a stopped belt still alerts, through the motion channel.
        var profile = Learned();
        var baseline = new MotionBaseline(1, windowsPerSecond: 2);
        var slow = NormalWindow(new Random(4));
        slow.Signals[K] = 1.5f;
        slow.Signals[K + 1] = 0;
        var stopped = NormalWindow(new Random(5));
        stopped.Signals[K] = stopped.Signals[K + 1] = 0;

        var first = profile.Score(slow.Tokens, slow.Signals, 0, null, baseline, new float[1], new float[16]);
        var stop = profile.Score(stopped.Tokens, stopped.Signals, 0, null, new MotionBaseline(1, windowsPerSecond: 2), new float[1], new float[16]);
        WindowScore later = default;
        for (var k = 0; k < 30; k++) later = profile.Score(slow.Tokens, slow.Signals, 0, null, baseline, new float[1], new float[16]);

        Assert.Equal(0, first.Speed);
        Assert.Equal(0, first.Shift);
        Assert.True(stop.Score > 1, $"stopped belt {stop.Score}");
        Assert.True(later.Speed > 0, "judged again once the level exists");
        Assert.True(later.Speed < profile.SpeedThreshold, $"and the offset is taken out: {later.Speed}");
    }

    [Theory]
    [InlineData(-2f, 0f)]   // running backwards at normal speed
    [InlineData(0f, 0f)]    // stopped
    [InlineData(3.6f, 0f)]  // 1.8 times too fast
    public void A_belt_moving_wrongly_alerts_through_the_motion_channel_alone(float dx, float dy)
    {
        var profile = Learned();
        var window = NormalWindow(new Random(4));
        window.Signals[K] = dx;
        window.Signals[K + 1] = dy;
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
        window.Signals[K] = 0; // a stopped belt: the motion statistics must survive the round trip too
        Assert.Equal(Score(profile, window).Score, Score(loaded, window).Score, 5);
        Assert.Equal(profile.Windows, loaded.Windows);
        Assert.Equal(Model, loaded.Model);
        Assert.Equal(profile.LightingThreshold, loaded.LightingThreshold);
        Assert.Equal(profile.SpeedThreshold, loaded.SpeedThreshold);
        Assert.Equal(profile.ShiftThreshold, loaded.ShiftThreshold);
        Assert.Equal(profile.Strips.Mean(0), loaded.Strips.Mean(0));
        Assert.Equal(profile.TypicalLocal.ToArray(), loaded.TypicalLocal.ToArray());
        Assert.Equal(profile.LocalSpread.ToArray(), loaded.LocalSpread.ToArray());
        Assert.True(loaded.IsCalibrated);
    }

    [Fact]
    public void The_local_spread_survives_a_save_and_scales_the_local_distance()
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        var profile = Learned();
        var window = NormalWindow(new Random(3));
        var before = Score(profile, window).Local;
        profile.SetLocalSpread([2f]);
        profile.Save(path);

        var loaded = NormalProfile.Load(path);
        Assert.Equal([2f], loaded.LocalSpread.ToArray());
        Assert.Equal(before / 2, Score(loaded, window).Local, 5);
    }

    [Fact]
    public void A_profile_learned_before_the_local_spread_existed_scores_in_one_unit_for_every_position()
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        Learned(100).Save(path);
        WithHeader(path, h => h.Remove("Spread"));
        Assert.Equal([1f], NormalProfile.Load(path).LocalSpread.ToArray());
    }

    [Theory]
    [InlineData("[0]")]
    [InlineData("[1, 1]")]
    [InlineData("[-2]")]
    public void A_header_with_an_unsound_local_spread_is_refused_by_name(string spread)
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        Learned(100).Save(path);
        WithHeader(path, h => h["Spread"] = System.Text.Json.Nodes.JsonNode.Parse(spread));
        Assert.Contains("local spreads", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    /// <summary>Rewrites a saved profile's JSON header, keeping the statistics after it.</summary>
    private static void WithHeader(string path, Action<System.Text.Json.Nodes.JsonObject> change)
    {
        byte[] rest;
        System.Text.Json.Nodes.JsonObject header;
        using (var reader = new BinaryReader(File.OpenRead(path)))
        {
            reader.ReadBytes("LWPROFILE".Length);
            header = System.Text.Json.Nodes.JsonNode.Parse(reader.ReadString())!.AsObject();
            rest = reader.ReadBytes((int)(reader.BaseStream.Length - reader.BaseStream.Position));
        }
        change(header);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(System.Text.Encoding.ASCII.GetBytes("LWPROFILE"));
        writer.Write(header.ToJsonString());
        writer.Write(rest);
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

        WriteHeader(path, """{"Version":2,"Camera":"cam","Model":null,"Grid":1}""");
        Assert.Contains("learn the camera again", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    [Fact]
    public void A_profile_whose_flow_an_older_probe_measured_is_refused()
    {
        // Format 5 learned its motion and line speed from each region's plain mean flow; today's probe weighs the pixels by
        // their texture, so a flat region that read noise now reads still, and such a profile would score other values.
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        WriteHeader(path, Header(1, 8, "[0.5]").Replace("\"Version\":" + NormalProfile.FormatVersion, "\"Version\":5"));
        var error = Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message;
        Assert.Contains("profile format 5", error);
        Assert.Contains("learn the camera again", error);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(1, -3)]
    [InlineData(1, 100000)]
    public void A_parseable_header_with_an_impossible_shape_is_refused_by_name(int grid, int dim)
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        WriteHeader(path, Header(grid, dim, "[0.5]"));
        Assert.Contains("not a profile this agent can use", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[0.5, 0.5]")]
    [InlineData("[-1]")]
    public void A_header_without_a_sound_typical_level_per_position_is_refused_by_name(string typical)
    {
        using var dir = new TempConfig("{}");
        var path = Path.Combine(dir.Directory, "cam.profile");
        WriteHeader(path, Header(1, 8, typical));
        Assert.Contains("typical local distances", Assert.Throws<InvalidDataException>(() => NormalProfile.Load(path)).Message);
    }

    internal static string Header(int grid, int dim, string typical) =>
        "{\"Version\":" + NormalProfile.FormatVersion + ",\"Camera\":\"cam\",\"Grid\":" + grid + ",\"Typical\":" + typical +
        ",\"Model\":{\"Arch\":\"videomambapro\",\"Size\":\"custom\",\"Dim\":" + dim + ",\"Frames\":2,\"ImageSize\":16,\"Weights\":\"w\",\"Sha256\":\"s\"}}";

    internal static void WriteHeader(string path, string json)
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
