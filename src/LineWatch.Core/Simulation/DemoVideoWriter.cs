using System.Diagnostics;
using LineWatch.Evaluation;

namespace LineWatch.Simulation;

/// <summary>
/// Writes a synthetic production-line video (H.264 .mp4 through Debian's ffmpeg) and its labels file. Faults
/// are spread over the video with normal stretches between them; the labels mark the frames in which each is
/// visible. The same seed gives the same video.
/// </summary>
public static class DemoVideoWriter
{
    private static readonly Dictionary<string, double> Durations = new()
    {
        [FaultTypes.Jam] = 6, [FaultTypes.Speed] = 8, [FaultTypes.Hand] = 4,
        [FaultTypes.Missing] = 9, [FaultTypes.Foreign] = 9, [FaultTypes.Rotated] = 9, // a part's transit through the view
    };

    public sealed record Output(string VideoPath, string LabelsPath, VideoLabels Labels);

    /// <param name="faults">Fault types to include (each repeated to fill the video); empty for normal operation only.</param>
    public static Output Write(string directory, string name, double seconds, int seed, IReadOnlyList<string> faults, Action<string>? progress = null)
    {
        foreach (var fault in faults)
        {
            if (!FaultTypes.All.Contains(fault)) throw new ArgumentException($"unknown fault type '{fault}'; use {string.Join(", ", FaultTypes.All)}");
        }
        if (seconds < 5) throw new ArgumentException("a demo video must be at least 5 s long");
        Directory.CreateDirectory(directory);
        var schedule = Schedule(seconds, seed, faults);
        var scene = new ProductionLineScene(schedule, seed);
        var frames = (int)(seconds * ProductionLineScene.Fps);
        var videoPath = Path.Combine(directory, name + ".mp4");
        var labelsPath = Path.Combine(directory, name + ".labels.json");
        var partial = videoPath + ".partial.mp4";

        var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            $"-hide_banner -loglevel error -y -f rawvideo -pix_fmt bgr24 -s {ProductionLineScene.Width}x{ProductionLineScene.Height} -r {ProductionLineScene.Fps} -i - " +
            $"-c:v libx264 -preset veryfast -crf 26 -g 50 -pix_fmt yuv420p {partial}")
        { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("ffmpeg could not be started (install/setup.sh installs it)");
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        var spans = new Dictionary<string, List<(int Start, int End)>>();
        var buffer = new byte[ProductionLineScene.Width * ProductionLineScene.Height * 3];
        using (var input = ffmpeg.StandardInput.BaseStream)
        {
            for (var i = 0; i < frames; i++)
            {
                foreach (var type in scene.Render(i, buffer)) Extend(spans, type, i);
                input.Write(buffer);
                if (progress is not null && i > 0 && i % (int)(60 * ProductionLineScene.Fps) == 0) progress($"{i / ProductionLineScene.Fps:0} s of {seconds:0} s");
            }
        }
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {stderr.Result}");
        File.Move(partial, videoPath, overwrite: true);

        var anomalies = spans.SelectMany(kv => kv.Value.Select(s => new LabelledAnomaly(s.Start, s.End, kv.Key))).OrderBy(a => a.StartFrame).ToList();
        var labels = new VideoLabels(ProductionLineScene.Fps, frames, anomalies);
        labels.Write(labelsPath);
        return new Output(videoPath, labelsPath, labels);
    }

    /// <summary>Each requested type once per four minutes of video (at least once), in shuffled order, evenly
    /// spread with jitter and at least 20 s of normal operation before the first and between any two.</summary>
    public static IReadOnlyList<ScheduledFault> Schedule(double seconds, int seed, IReadOnlyList<string> faults)
    {
        if (faults.Count == 0) return [];
        var random = new Random(seed);
        var repeats = Math.Max(1, (int)(seconds / 240));
        var types = Enumerable.Range(0, repeats).SelectMany(_ => faults.OrderBy(_ => random.Next())).ToList();
        var slot = (seconds - 20) / types.Count;
        var schedule = new List<ScheduledFault>();
        for (var i = 0; i < types.Count; i++)
        {
            var duration = Durations[types[i]];
            var start = 20 + i * slot + random.NextDouble() * Math.Max(0, slot - duration - 20);
            if (start + duration > seconds - 1) break; // too short a video for all of them
            schedule.Add(new ScheduledFault(types[i], start, duration));
        }
        return schedule;
    }

    private static void Extend(Dictionary<string, List<(int Start, int End)>> spans, string type, int frame)
    {
        if (!spans.TryGetValue(type, out var list)) spans[type] = list = [];
        if (list.Count > 0 && list[^1].End == frame - 1) list[^1] = (list[^1].Start, frame);
        else list.Add((frame, frame));
    }
}
