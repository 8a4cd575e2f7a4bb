using System.Diagnostics;
using LineWatch.Evaluation;

namespace LineWatch.Simulation;

/// <summary>
/// Writes a synthetic production-line video (H.264 .mp4 through Debian's ffmpeg) and its labels file. Faults
/// are spread over the video with normal stretches between them (<see cref="FaultSchedule"/>); the labels mark
/// the frames in which each is visible. The same seed, scene and nuisance level give the same video.
/// </summary>
public static class DemoVideoWriter
{
    public sealed record Output(string VideoPath, string LabelsPath, VideoLabels Labels);

    /// <param name="seed">The fault schedule, the camera's drift and noise, each fault's details.</param>
    /// <param name="faults">Fault types to include (each repeated to fill the video); empty for normal operation only.</param>
    /// <param name="scene">The line's look (<see cref="LineLook.ForScene"/>); 0 is the classic line.</param>
    /// <param name="nuisance">The camera's nuisance level, 0-3 (<see cref="NuisanceLevel"/>).</param>
    public static Output Write(string directory, string name, double seconds, int seed, IReadOnlyList<string> faults,
        int scene = 0, int nuisance = 1, Action<string>? progress = null)
    {
        foreach (var fault in faults)
        {
            if (!FaultTypes.IsKnown(fault)) throw new ArgumentException($"unknown fault type '{fault}'; use {string.Join(", ", FaultTypes.All)}");
        }
        if (seconds < 5) throw new ArgumentException("a demo video must be at least 5 s long");
        var look = LineLook.ForScene(scene);
        var camera = NuisanceLevel.Of(nuisance);
        Directory.CreateDirectory(directory);
        var schedule = FaultSchedule.Plan(seconds, seed, faults, look);
        var line = new ProductionLineScene(schedule, seed, look, camera);
        var frames = (int)(seconds * ProductionLineScene.Fps);
        var videoPath = Path.Combine(directory, name + ".mp4");
        var labelsPath = Path.Combine(directory, name + ".labels.json");
        var partial = videoPath + ".partial.mp4";

        var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            $"-hide_banner -loglevel error -y -f rawvideo -pix_fmt bgr24 -s {ProductionLineScene.Width}x{ProductionLineScene.Height} -r {ProductionLineScene.Fps} -i - " +
            $"-c:v libx264 -preset veryfast -crf {camera.Crf} -g 50 -pix_fmt yuv420p {partial}")
        { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("ffmpeg could not be started (install/setup.sh installs it)");
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        var spans = new Dictionary<string, List<(int Start, int End)>>();
        var buffer = new byte[ProductionLineScene.Width * ProductionLineScene.Height * 3];
        using (var input = ffmpeg.StandardInput.BaseStream)
        {
            for (var i = 0; i < frames; i++)
            {
                foreach (var type in line.Render(i, buffer)) Extend(spans, type, i);
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

    private static void Extend(Dictionary<string, List<(int Start, int End)>> spans, string type, int frame)
    {
        if (!spans.TryGetValue(type, out var list)) spans[type] = list = [];
        if (list.Count > 0 && list[^1].End == frame - 1) list[^1] = (list[^1].Start, frame);
        else list.Add((frame, frame));
    }
}
