using System.Globalization;
using System.Text.RegularExpressions;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Evaluation;

/// <summary>`linewatch eval` as a process on the learned line's labelled clip (a hand in view from 20 s to 24 s).</summary>
[Collection(LearnedLineCollection.Name)]
public sealed partial class EvalCommandTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [GeneratedRegex(@", (\d+) windows")]
    private static partial Regex WindowCount();

    [Fact]
    public void Scores_file_has_every_window_its_channels_in_thresholds_and_its_highest_window_in_the_labelled_fault()
    {
        var (config, _) = line.AgentConfig(_dir.Path, brokerPort: 1883, dashboardPort: 8080);
        var scores = _dir.File("scores.csv");

        var (code, output) = AgentProcess.Run("eval", "--config", config, "--profile", line.ProfilePath, "--video", line.Faulty.VideoPath,
            "--labels", line.Faulty.LabelsPath, "--scores", scores);

        Assert.True(code == 0, output);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("frame,seconds,local,motion,speed,lighting,shift,pattern,score,cause", lines[0]);
        Assert.Equal(int.Parse(WindowCount().Match(output).Groups[1].Value), lines.Length - 1);
        var rows = lines.Skip(1).Select(l => l.Split(',', 10)).Select(f => (
            Frame: int.Parse(f[0]), Seconds: Number(f[1]), Channels: f[2..8].Select(Number).ToArray(), Score: Number(f[8]), Cause: f[9])).ToList();
        Assert.All(rows, r => Assert.Equal(r.Channels.Max(), r.Score, 0.0015));
        Assert.All(rows, r => Assert.Matches("^\"(lighting|(local|motion|speed|shift|pattern) at patch \\(row \\d, column \\d\\))\"$", r.Cause));
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First.Frame < p.Second.Frame), "windows out of order");
        Assert.All(rows, r => Assert.Equal(r.Frame / line.Faulty.Labels.Fps, r.Seconds, 0.006));
        var fault = line.Faulty.Labels.Anomalies.Single();
        var highest = rows.MaxBy(r => r.Score);
        Assert.InRange(highest.Frame, fault.StartFrame, fault.EndFrame + 25);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    public void Dispose() => _dir.Dispose();
}
