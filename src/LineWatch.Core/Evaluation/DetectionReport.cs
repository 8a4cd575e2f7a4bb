namespace LineWatch.Evaluation;

/// <summary>
/// Detection quality of one evaluation, overall and per fault type. A figure the footage cannot define (AUROC
/// without normal or anomalous frames, recall without events, a latency with nothing caught) is null.
/// </summary>
public sealed record DetectionReport(
    string Video,
    int Frames,
    double Fps,
    int Windows,
    double? FrameAuroc,
    int Events,
    int EventsCaught,
    double? EventRecall,
    int FalseAlarms,
    double NormalHours,
    double? FalseAlarmsPerHour,
    double? LatencyP50Seconds,
    double? LatencyP90Seconds,
    IReadOnlyList<DetectionReport.TypeRow> Types,
    IReadOnlyList<DetectionReport.Alert> Alerts,
    IReadOnlyList<DetectionReport.Detection> Detections)
{
    /// <summary>One labelled anomaly: when it began and how long until an alert started (null: missed).</summary>
    public sealed record Detection(string Type, double OnsetSeconds, double? LatencySeconds);

    /// <summary>An alert the policy raised: when, how high, which labelled anomaly it belongs to (null: a false alarm),
    /// and what set its highest window's score (the channel, and the patch where the map peaked).</summary>
    public sealed record Alert(double StartSeconds, double Peak, string? Anomaly, string? Cause = null);

    public sealed record TypeRow(string Type, int Events, int Caught, double Recall, double? FrameAuroc, double? LatencyP50Seconds);
}
