using System.Security.Cryptography;
using LineWatch.Simulation;

namespace LineWatch.Tests.Simulation;

/// <summary>The synthetic line rendered for real, frame by frame into buffers (no video encoding).</summary>
public sealed class ProductionLineSceneTests
{
    private const int FrameBytes = ProductionLineScene.Width * ProductionLineScene.Height * 3;

    [Fact]
    public void Scene_0_renders_what_the_first_generator_rendered()
    {
        // Hashes computed with the generator as it was before scenes and nuisance levels existed (commit 4118256):
        // normal operation, then a missing gap, a foreign object, a hand and a jam at the same seed.
        Assert.Equal("14D102892B30E8A1", HashFrames([], seed: 7, frames: 100));
        ScheduledFault[] mixed = [new(FaultTypes.Missing, 8, 9), new(FaultTypes.Foreign, 18, 9), new(FaultTypes.Hand, 24, 4), new(FaultTypes.Jam, 28.3, 6)];
        Assert.Equal("B5DA9DAE59F700E2", HashFrames(mixed, seed: 3, frames: 858));
    }

    public static TheoryData<string, int> FaultsInScenes()
    {
        var data = new TheoryData<string, int>();
        foreach (var scene in new[] { 0, 7 })
        foreach (var type in FaultTypes.All) data.Add(type, scene);
        return data;
    }

    [Theory]
    [MemberData(nameof(FaultsInScenes))]
    public void A_fault_changes_exactly_its_labelled_frames(string type, int scene)
    {
        var look = LineLook.ForScene(scene);
        var nuisance = NuisanceLevel.Of(scene == 0 ? 1 : 2);
        // A part fault is bound to the part at the station at its start: start late enough for that part to come
        // into view a second or so in. Other faults start a second in.
        var (before, after) = FaultSchedule.Room(type, look);
        var start = before + 1;
        var fault = new ScheduledFault(type, start, FaultTypes.NominalSeconds(type));
        var faulty = new ProductionLineScene([fault], seed: 11, look, nuisance);
        var clean = CleanFrameHashes(scene, look, nuisance);
        var frame = new byte[FrameBytes];

        var labelled = new List<int>();
        var matching = 0;
        var lastFrame = clean.Count;
        for (var i = 0; i < lastFrame; i++)
        {
            var visible = faulty.Render(i, frame);
            Assert.All(visible, v => Assert.Equal(type, v));
            var same = SHA256.HashData(frame).AsSpan().SequenceEqual(clean[i]);
            if (visible.Count == 0)
            {
                Assert.True(same, $"frame {i} differs from the fault-free render but carries no label");
                // Done one second after the label ends: from there on nothing of the fault remains.
                if (labelled.Count > 0 && i > labelled[^1] + ProductionLineScene.Fps) break;
                continue;
            }
            labelled.Add(i);
            if (same) matching++;
        }

        Assert.NotEmpty(labelled);
        Assert.True(labelled[^1] < lastFrame - ProductionLineScene.Fps, "the fault never ended");
        Assert.Equal(labelled[^1] - labelled[0] + 1, labelled.Count);           // one unbroken span
        // Within the room the schedule keeps for it, so that the 20 s of normal between faults hold.
        Assert.InRange(labelled[0], (start - before) * ProductionLineScene.Fps - 1, double.MaxValue);
        Assert.InRange(labelled[^1], 0, (start + after) * ProductionLineScene.Fps + 1);
        if (FaultTypes.KindOf(type) == FaultKind.Belt)
        {
            // A belt moving wrongly shows over time, not in every still: where its travel is a whole pattern period
            // off the normal travel, a single frame looks exactly like the normal one.
            Assert.True(matching <= labelled.Count / 20, $"{matching} of {labelled.Count} labelled frames look normal");
        }
        else
        {
            Assert.Equal(0, matching);
        }
    }

    private static readonly Dictionary<int, List<byte[]>> CleanRenders = [];

    /// <summary>SHA-256 of each of the first 30 s of the scene's fault-free frames (seed 11), rendered once per
    /// scene for all the fault types compared with it; the fault-free render carries no labels.</summary>
    private static List<byte[]> CleanFrameHashes(int scene, LineLook look, NuisanceLevel nuisance)
    {
        lock (CleanRenders)
        {
            if (CleanRenders.TryGetValue(scene, out var hashes)) return hashes;
            var clean = new ProductionLineScene([], seed: 11, look, nuisance);
            var frame = new byte[FrameBytes];
            hashes = [];
            for (var i = 0; i < 30 * ProductionLineScene.Fps; i++)
            {
                Assert.Empty(clean.Render(i, frame));
                hashes.Add(SHA256.HashData(frame));
            }
            return CleanRenders[scene] = hashes;
        }
    }

    [Fact]
    public void Different_scenes_look_different()
    {
        var hashes = Enumerable.Range(0, 6).Select(scene => HashFrames([], seed: 1, frames: 1, scene, nuisance: 0)).ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
        var looks = Enumerable.Range(1, 12).Select(LineLook.ForScene).ToList();
        Assert.True(looks.Select(l => l.Shape).Distinct().Count() > 1, "every scene drew the same part shape");
        Assert.True(looks.Select(l => l.BeltSpeed).Distinct().Count() > 1, "every scene drew the same belt speed");
        Assert.True(looks.Select(l => l.Pose).Distinct().Count() > 1, "every scene drew the same camera pose");
    }

    [Fact]
    public void The_same_seeds_give_the_same_frames()
    {
        ScheduledFault[] faults = [new(FaultTypes.Haze, 0.5, 10), new(FaultTypes.Double, 2, 9)];
        var first = HashFrames(faults, seed: 5, frames: 40, scene: 9, nuisance: 3);
        Assert.Equal(first, HashFrames(faults, seed: 5, frames: 40, scene: 9, nuisance: 3));
        Assert.NotEqual(first, HashFrames(faults, seed: 6, frames: 40, scene: 9, nuisance: 3));
    }

    [Fact]
    public void Nuisance_0_is_a_perfect_camera_and_higher_levels_disturb_more()
    {
        // Level 0 has no seed-driven drift, shake or noise: two seeds render the same normal frames.
        Assert.Equal(HashFrames([], seed: 1, frames: 30, scene: 2, nuisance: 0), HashFrames([], seed: 2, frames: 30, scene: 2, nuisance: 0));

        var reference = Frames(scene: 2, nuisance: 0, frames: 50);
        var disturbance = Enumerable.Range(1, NuisanceLevel.Max).Select(level => MeanAbsoluteDifference(reference, Frames(scene: 2, nuisance: level, frames: 50))).ToList();
        Assert.True(disturbance[0] > 0 && disturbance[0] < disturbance[1] && disturbance[1] < disturbance[2], string.Join(" < ", disturbance));
    }

    [Fact]
    public void Normal_operation_at_every_nuisance_level_is_labelled_normal()
    {
        for (var level = 0; level <= NuisanceLevel.Max; level++)
        {
            var line = new ProductionLineScene([], seed: 4, LineLook.ForScene(3), NuisanceLevel.Of(level));
            var frame = new byte[FrameBytes];
            for (var i = 0; i < 50; i++) Assert.Empty(line.Render(i, frame));
        }
    }

    [Fact]
    public void Unknown_scene_and_nuisance_values_are_named()
    {
        Assert.Contains("-1", Assert.Throws<ArgumentException>(() => LineLook.ForScene(-1)).Message);
        Assert.Contains("4", Assert.Throws<ArgumentException>(() => NuisanceLevel.Of(4)).Message);
    }

    private static string HashFrames(IReadOnlyList<ScheduledFault> faults, int seed, int frames, int scene = 0, int nuisance = 1)
    {
        var line = new ProductionLineScene(faults, seed, LineLook.ForScene(scene), NuisanceLevel.Of(nuisance));
        var buffer = new byte[FrameBytes];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < frames; i++)
        {
            line.Render(i, buffer);
            sha.AppendData(buffer);
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }

    private static List<byte[]> Frames(int scene, int nuisance, int frames)
    {
        var line = new ProductionLineScene([], seed: 1, LineLook.ForScene(scene), NuisanceLevel.Of(nuisance));
        return Enumerable.Range(0, frames).Select(i => { var f = new byte[FrameBytes]; line.Render(i, f); return f; }).ToList();
    }

    private static double MeanAbsoluteDifference(List<byte[]> a, List<byte[]> b)
    {
        double sum = 0;
        for (var f = 0; f < a.Count; f++)
        for (var i = 0; i < FrameBytes; i++) sum += Math.Abs(a[f][i] - b[f][i]);
        return sum / (a.Count * (double)FrameBytes);
    }
}
