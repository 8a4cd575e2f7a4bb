using System.CommandLine;
using System.Text.Json;
using LineWatch.Evaluation;
using LineWatch.Inference;
using LineWatch.Processing;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch eval`: detection quality of a profile on labelled footage.</summary>
internal static class EvalCommand
{
    public static Command Create(Option<string?> config)
    {
        var profile = new Option<string>("--profile") { Description = "A profile made by `linewatch learn`", Required = true };
        var video = new Option<string>("--video") { Description = "The footage", Required = true };
        var labels = new Option<string>("--labels") { Description = "Its labels file: {\"fps\", \"frames\", \"anomalies\": [{\"start_frame\", \"end_frame\", \"type\"}]}", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cache = new Option<string?>("--cache") { Description = "Folder for the backbone's windows of each video, reused when learning or evaluating the same video again" };
        var scores = new Option<string?>("--scores") { Description = "Also write every window's score per channel, in thresholds, to this CSV file (why a window alerted, or nearly did)" };
        var command = new Command("eval", "Frame AUROC, event recall, false alarms per hour and detection latency of a profile on labelled video") { profile, video, labels, json, cache, scores };
        command.SetAction(parse =>
        {
            var configuration = ConfigLoading.TryLoad(parse.GetValue(config), Console.Error);
            if (configuration is null) return ExitCodes.InvalidConfiguration;
            var options = configuration.Options;
            try
            {
                var learned = NormalProfile.Load(parse.GetValue(profile)!);
                learned.EnsureMatches(ModelIdentity.Of(options.Model.Path), learned.Camera);
                if (!learned.IsCalibrated) throw new InvalidDataException("the profile has no calibrated thresholds; learn it again");
                var camera = options.Cameras.FirstOrDefault(c => c.Name == learned.Camera) ?? new Configuration.CameraOptions();
                var labelled = VideoLabels.Read(parse.GetValue(labels)!);
                using var model = OrtSessionFactory.Create(options.Model.Path, options.Model, NullLogger.Instance);
                using var runner = new BackboneRunner(model, options.Model.MaxBatch);
                var map = new float[learned.Grid * learned.Grid];
                var scratch = new float[CameraScorer.ScratchLength(learned.Model)];
                var windows = new List<ScoredWindow>();
                using var scoresFile = parse.GetValue(scores) is { } scoresPath ? ScoresFile(scoresPath) : null;
                // The camera's regions count as they do live.
                var scorer = new CameraScorer(learned, camera.WindowsPerSecond(), RegionMask.For(camera.Regions, learned.Grid));
                Console.Error.WriteLine($"scoring {parse.GetValue(video)} at {camera.AnalysisFps} fps, stride {camera.Stride}");
                WindowCache.Run(parse.GetValue(cache), Path.GetFullPath(parse.GetValue(video)!), learned.Model, runner, camera,
                    (in OfflineWindow w) =>
                    {
                        var score = scorer.Score(w.Tokens, w.Signals, map, scratch);
                        var window = new ScoredWindow(w.NewestFrame, score.Score, Cause(learned, score, map));
                        windows.Add(window);
                        scoresFile?.WriteLine(ScoresLine(learned, labelled.Fps, window, score));
                    });
                var report = DetectionEvaluator.Evaluate(parse.GetValue(video)!, labelled, windows, options.Alerts);
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, CliJson.Options));
                else Print(report);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is ProfileMismatchException or InvalidDataException or ModelLoadException or Capture.VideoSourceException or IOException)
            {
                Console.Error.WriteLine($"linewatch: {e.Message}");
                return ExitCodes.InvalidConfiguration;
            }
        });
        return command;
    }

    /// <summary>The <c>--scores</c> file, with its header: one line per window follows (<see cref="ScoresLine"/>).</summary>
    private static StreamWriter ScoresFile(string path)
    {
        var writer = new StreamWriter(path);
        writer.WriteLine("frame,seconds,local,motion,speed,lighting,shift,pattern,score,cause");
        return writer;
    }

    /// <summary>A window's newest frame and time, each channel and the score in its thresholds, and the cause.</summary>
    private static string ScoresLine(NormalProfile profile, double fps, ScoredWindow w, in WindowScore c) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{w.NewestFrame},{w.NewestFrame / fps:0.00},{c.Local / profile.LocalThreshold:0.000},{c.Motion / profile.MotionThreshold:0.000},{c.Speed / profile.SpeedThreshold:0.000},{c.Lighting / profile.LightingThreshold:0.000},{c.Shift / profile.ShiftThreshold:0.000},{c.Pattern / profile.PatternThreshold:0.000},{c.Score:0.000},\"{w.Cause}\"");

    /// <summary>"motion at patch (row 3, column 0)": the channel that set the score and, for the channels with a map, where the map peaked.</summary>
    private static string Cause(NormalProfile profile, in WindowScore score, float[] map)
    {
        var channel = profile.Dominant(score);
        if (channel == ScoreChannel.Lighting) return "lighting";
        var worst = 0;
        for (var p = 1; p < map.Length; p++) if (map[p] > map[worst]) worst = p;
        return $"{channel.ToString().ToLowerInvariant()} at patch (row {worst / profile.Grid}, column {worst % profile.Grid})";
    }

    private static void Print(DetectionReport r)
    {
        Console.WriteLine($"{r.Video}: {r.Frames} frames at {r.Fps:0.#} fps, {r.Windows} windows");
        Console.WriteLine($"frame AUROC {Show(r.FrameAuroc, "0.000")}; events caught {r.EventsCaught}/{r.Events} (recall {Show(r.EventRecall, "0.00")}); " +
            $"false alarms {r.FalseAlarms} in {r.NormalHours * 60:0.0} normal minutes ({Show(r.FalseAlarmsPerHour, "0.0")}/h); latency p50 {Show(r.LatencyP50Seconds, "0.0")} s, p90 {Show(r.LatencyP90Seconds, "0.0")} s");
        Console.WriteLine();
        Console.WriteLine("| fault | events | caught | recall | frame AUROC | latency p50 s |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var t in r.Types) Console.WriteLine($"| {t.Type} | {t.Events} | {t.Caught} | {t.Recall:0.00} | {Show(t.FrameAuroc, "0.000")} | {Show(t.LatencyP50Seconds, "0.0")} |");
        Console.WriteLine();
        foreach (var a in r.Alerts) Console.WriteLine($"alert at {a.StartSeconds:0.0} s, peak {a.Peak:0.00}: {a.Anomaly ?? "FALSE ALARM"}{(a.Cause is null ? "" : $" ({a.Cause})")}");
    }

    /// <summary>A figure, or "n/a" where the footage does not define it.</summary>
    private static string Show(double? value, string format) => value is { } v ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
