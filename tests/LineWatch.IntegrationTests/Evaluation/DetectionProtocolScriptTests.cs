using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Evaluation;

/// <summary>tests/evaluation/detection-protocol.sh's summary, on reports as a run cut short leaves them.</summary>
public sealed class DetectionProtocolScriptTests
{
    private static readonly string Script = Path.Combine(TestPaths.RepositoryRoot, "tests", "evaluation", "detection-protocol.sh");

    [Fact]
    public void Summary_of_a_run_cut_short_reads_the_finished_reports_and_skips_the_one_being_written()
    {
        using var dir = new TempDirectory();
        var reports = Directory.CreateDirectory(dir.File("reports")).FullName;
        File.WriteAllText(Path.Combine(reports, "normal-112-1.json"), """
            { "video": "normal-112-1.mp4", "frames": 22500, "fps": 25, "windows": 1790, "frameAuroc": null, "events": 0, "eventsCaught": 0,
              "eventRecall": null, "falseAlarms": 1, "normalHours": 0.25, "falseAlarmsPerHour": 4, "latencyP50Seconds": null,
              "latencyP90Seconds": null, "types": [], "alerts": [], "detections": [] }
            """);
        File.WriteAllText(Path.Combine(reports, "normal-112-2.json.partial"), ""); // eval still running when the run was stopped

        var (exitCode, output) = ShellCommand.Run("bash", Script, "summary", dir.Path);

        Assert.True(exitCode == 0, output);
        Assert.Contains("| normal-112-1 | n/a | 0/0 | 1 | 15.0 | n/a | n/a |", output);
        Assert.DoesNotContain("normal-112-2", output);
        Assert.Contains("False alarms: 1 in 0.25 h of normal video", output);
    }
}
