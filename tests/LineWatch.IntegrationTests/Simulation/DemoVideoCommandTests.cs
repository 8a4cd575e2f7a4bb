using System.Text.Json;
using LineWatch.IntegrationTests.Support;
using LineWatch.Simulation;

namespace LineWatch.IntegrationTests.Simulation;

/// <summary>`linewatch demo-video` as a user runs it.</summary>
public sealed class DemoVideoCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("--faults", "jam,sparks", "'sparks'")]
    [InlineData("--scene", "-2", "scene -2")]
    [InlineData("--nuisance", "5", "nuisance level 5")]
    public void A_bad_value_exits_2_naming_it(string option, string value, string named)
    {
        var (exitCode, output) = AgentProcess.Run("demo-video", "--out", _dir.Path, "--seconds", "5", option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(named, output);
        Assert.False(File.Exists(_dir.File("demo-line.mp4")));
    }

    [Fact]
    public void Help_lists_every_fault_type()
    {
        var (exitCode, output) = AgentProcess.Run("demo-video", "--help");

        Assert.Equal(0, exitCode);
        Assert.All(FaultTypes.All, type => Assert.Contains(type, output));
        Assert.Contains("--scene", output);
        Assert.Contains("--nuisance", output);
    }

    [Fact]
    public void Writes_a_video_and_labels_for_a_drawn_scene()
    {
        var (exitCode, output) = AgentProcess.Run("demo-video", "--out", _dir.Path, "--name", "short", "--seconds", "34",
            "--seed", "3", "--faults", "lights", "--scene", "6", "--nuisance", "3");

        Assert.True(exitCode == 0, output);
        Assert.True(new FileInfo(_dir.File("short.mp4")).Length > 10_000);
        using var labels = JsonDocument.Parse(File.ReadAllText(_dir.File("short.labels.json")));
        var anomaly = Assert.Single(labels.RootElement.GetProperty("anomalies").EnumerateArray());
        Assert.Equal("lights", anomaly.GetProperty("type").GetString());
        Assert.Equal(anomaly.GetProperty("start_frame").GetInt32() + 5 * 25 - 1, anomaly.GetProperty("end_frame").GetInt32());
    }

    public void Dispose() => _dir.Dispose();
}
