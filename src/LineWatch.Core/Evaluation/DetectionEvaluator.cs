using LineWatch.Configuration;
using LineWatch.Diagnostics;
using LineWatch.Events;

namespace LineWatch.Evaluation;

/// <summary>
/// Scores a labelled video's windows the way an operator would judge them:
/// frame-level AUROC (each frame carries the score of the latest window that ends at or before it);
/// event recall (an anomaly is caught when an alert starts within its span or within 2 s of its onset);
/// false alarms per hour of normal video (alert starts outside every anomaly span and its 5 s tail, the
/// time a window needs to leave it behind); latency from onset to alert start, p50 and p90. Each alert names the
/// cause of its highest window, so a false alarm can be traced to a channel and a place in the picture.
/// </summary>
public static class DetectionEvaluator
{
    private const double GraceSeconds = 2;
    private const double TailSeconds = 5;

    public static DetectionReport Evaluate(string video, VideoLabels labels, IReadOnlyList<ScoredWindow> windows, AlertOptions alertOptions)
    {
        var fps = labels.Fps;
        var frames = labels.Frames;
        var frameScores = new double[frames];
        Array.Fill(frameScores, double.NaN);
        var ordered = windows.OrderBy(w => w.NewestFrame).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var end = i + 1 < ordered.Count ? ordered[i + 1].NewestFrame : frames;
            for (var f = ordered[i].NewestFrame; f < Math.Min(end, frames); f++) frameScores[f] = ordered[i].Score;
        }
        var typeOf = new string?[frames];
        foreach (var a in labels.Anomalies)
        {
            for (var f = a.StartFrame; f <= a.EndFrame && f < frames; f++) typeOf[f] = a.Type;
        }

        var policy = new AlertPolicy("eval", alertOptions);
        var starts = new List<double>();
        var peaks = new Dictionary<string, (double Start, double Peak, double Highest, string? Cause)>();
        string? open = null;
        foreach (var window in ordered)
        {
            if (policy.Observe(window.NewestFrame / fps, window.Score) is { } e)
            {
                if (e.Phase == AlertPhase.Start) starts.Add(e.Time);
                var highest = peaks.TryGetValue(e.Id, out var known) ? known : (e.StartTime, e.Peak, double.NegativeInfinity, null);
                peaks[e.Id] = highest with { Peak = e.Peak };
                open = e.Phase == AlertPhase.End ? null : e.Id;
            }
            if (open is not null && peaks[open] is var alert && window.Score > alert.Highest)
            {
                peaks[open] = alert with { Highest = window.Score, Cause = window.Cause };
            }
        }

        var latencies = new List<double>();
        var perType = new Dictionary<string, List<double?>>();
        var detections = new List<DetectionReport.Detection>();
        foreach (var a in labels.Anomalies)
        {
            double onset = a.StartFrame / fps, end = Math.Max(a.EndFrame / fps, onset + GraceSeconds);
            var first = starts.Where(t => t >= onset && t <= end).DefaultIfEmpty(double.NaN).Min();
            double? latency = double.IsNaN(first) ? null : first - onset;
            if (latency is { } l) latencies.Add(l);
            detections.Add(new DetectionReport.Detection(a.Type, onset, latency));
            if (!perType.TryGetValue(a.Type, out var list)) perType[a.Type] = list = [];
            list.Add(latency);
        }
        string? Matching(double t) => labels.Anomalies.FirstOrDefault(a => t >= a.StartFrame / fps && t <= a.EndFrame / fps + TailSeconds)?.Type;
        var falseAlarms = starts.Count(t => Matching(t) is null);
        var alerts = peaks.Values.OrderBy(p => p.Start).Select(p => new DetectionReport.Alert(p.Start, p.Peak, Matching(p.Start), p.Cause)).ToList();
        var normalFrames = typeOf.Count(t => t is null);
        var normalHours = normalFrames / fps / 3600;

        var types = perType.OrderBy(kv => kv.Key).Select(kv => new DetectionReport.TypeRow(kv.Key, kv.Value.Count, kv.Value.Count(v => v is not null),
            kv.Value.Count(v => v is not null) / (double)kv.Value.Count,
            Auroc(frameScores, typeOf, f => typeOf[f] == kv.Key),
            Defined(NearestRank.Percentile(kv.Value.Where(v => v is not null).Select(v => v!.Value), 50)))).ToList();

        var caught = latencies.Count;
        return new DetectionReport(video, frames, fps, ordered.Count, Auroc(frameScores, typeOf, f => typeOf[f] is not null),
            labels.Anomalies.Count, caught, labels.Anomalies.Count == 0 ? null : caught / (double)labels.Anomalies.Count,
            falseAlarms, normalHours, normalHours > 0 ? falseAlarms / normalHours : null,
            Defined(NearestRank.Percentile(latencies, 50)), Defined(NearestRank.Percentile(latencies, 90)), types, alerts, detections);
    }

    private static double? Defined(double value) => double.IsNaN(value) ? null : value;

    /// <summary>AUROC of frame scores: positives chosen by <paramref name="positive"/>, negatives the normal frames (Mann-Whitney U with ties).</summary>
    private static double? Auroc(double[] scores, string?[] typeOf, Func<int, bool> positive)
    {
        var items = new List<(double Score, bool Positive)>();
        for (var f = 0; f < scores.Length; f++)
        {
            if (double.IsNaN(scores[f])) continue;
            if (positive(f)) items.Add((scores[f], true));
            else if (typeOf[f] is null) items.Add((scores[f], false));
        }
        long positives = items.Count(i => i.Positive), negatives = items.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        items.Sort((a, b) => a.Score.CompareTo(b.Score));
        double rankSum = 0;
        for (var i = 0; i < items.Count;)
        {
            var j = i;
            while (j < items.Count && items[j].Score == items[i].Score) j++;
            var averageRank = (i + 1 + j) / 2.0; // ranks i+1..j share their mean
            for (var k = i; k < j; k++) if (items[k].Positive) rankSum += averageRank;
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
    }
}

/// <summary>One scored window of an evaluation: its newest frame, its score, and what set the score (null: not told).</summary>
public readonly record struct ScoredWindow(int NewestFrame, double Score, string? Cause = null);
