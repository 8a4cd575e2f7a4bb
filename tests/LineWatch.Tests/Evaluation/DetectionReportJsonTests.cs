using System.Text.Json;
using LineWatch.Agent.Cli;
using LineWatch.Configuration;
using LineWatch.Evaluation;

namespace LineWatch.Tests.Evaluation;

/// <summary>`eval --json` must print valid JSON whatever the footage: undefined figures are null, never NaN.</summary>
public sealed class DetectionReportJsonTests
{
    [Fact]
    public void A_missed_event_gives_null_latencies_not_an_exception()
    {
        // 10 s at 25 fps, one jam in the middle that every window scores as normal: nothing is caught.
        var labels = new VideoLabels(25, 250, [new LabelledAnomaly(100, 150, "jam")]);
        var windows = Enumerable.Range(0, 60).Select(i => new ScoredWindow(i * 4, 0.1)).ToList();

        var report = DetectionEvaluator.Evaluate("line.mp4", labels, windows, new AlertOptions());
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, CliJson.Options));

        var root = json.RootElement;
        Assert.Equal(0, root.GetProperty("eventsCaught").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("latencyP50Seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("latencyP90Seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("types")[0].GetProperty("latencyP50Seconds").ValueKind);
        Assert.Equal(0.5, root.GetProperty("frameAuroc").GetDouble()); // every frame scored alike
        var detection = Assert.Single(root.GetProperty("detections").EnumerateArray());
        Assert.Equal("jam", detection.GetProperty("type").GetString());
        Assert.Equal(4.0, detection.GetProperty("onsetSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, detection.GetProperty("latencySeconds").ValueKind);
    }

    [Fact]
    public void Normal_only_footage_has_no_recall_or_auroc_and_still_prints()
    {
        var labels = new VideoLabels(25, 250, []);
        var windows = Enumerable.Range(0, 60).Select(i => new ScoredWindow(i * 4, 0.1)).ToList();

        var report = DetectionEvaluator.Evaluate("normal.mp4", labels, windows, new AlertOptions());
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, CliJson.Options));

        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("eventRecall").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("frameAuroc").ValueKind);
        Assert.Equal(0, root.GetProperty("falseAlarms").GetInt32());
        Assert.Equal(0.0, root.GetProperty("falseAlarmsPerHour").GetDouble());
    }

    [Fact]
    public void An_alert_names_the_cause_of_its_highest_window()
    {
        // 20 s at 25 fps, normal throughout: a rise to 3.0 (motion) through 5.0 (local) and back is one false alarm.
        var labels = new VideoLabels(25, 500, []);
        var windows = Enumerable.Range(0, 125).Select(i => i switch
        {
            >= 40 and < 44 => new ScoredWindow(i * 4, 3.0, "motion at patch (row 3, column 0)"),
            44 => new ScoredWindow(i * 4, 5.0, "local at patch (row 1, column 2)"),
            >= 45 and < 48 => new ScoredWindow(i * 4, 2.0, "motion at patch (row 3, column 0)"),
            _ => new ScoredWindow(i * 4, 0.1, "local at patch (row 0, column 0)"),
        }).ToList();

        var report = DetectionEvaluator.Evaluate("normal.mp4", labels, windows, new AlertOptions());
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(report, CliJson.Options));

        var alert = Assert.Single(json.RootElement.GetProperty("alerts").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("anomaly").ValueKind);
        Assert.Equal(5.0, alert.GetProperty("peak").GetDouble());
        Assert.Equal("local at patch (row 1, column 2)", alert.GetProperty("cause").GetString());
    }
}
