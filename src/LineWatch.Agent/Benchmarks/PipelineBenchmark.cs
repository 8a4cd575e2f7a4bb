using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Diagnostics;
using LineWatch.Events;
using LineWatch.Inference;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using LineWatch.Processing;
using LineWatch.Record;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// N file cameras of 1280x720 at 25 fps, played in real time through the whole pipeline (decode, sample,
/// preprocess, window, batched inference) with the tiny backbone at 112² and T=8 on CPU. Measures what each
/// camera really got analysed against its target rate, drops, capture-to-score latency, CPU and peak RSS. With event
/// clips (<see cref="ClipMode"/>) each camera also fills its pre-roll ring, and in <see cref="ClipMode.Record"/> an alert
/// is open on every camera for the whole measurement, so each has a clip being encoded all along (the worst case).
/// </summary>
internal enum ClipMode { Off, Buffer, Record }

internal static class PipelineBenchmark
{
    /// <summary>AnalysedFps counts the frames that reached the scorer: scored windows per second times the stride
    /// (each window brings <c>stride</c> new frames). Frames of a dropped clip were sampled but not analysed.</summary>
    public sealed record CameraRow(string Camera, double TargetFps, double SampledFps, double AnalysedFps, double PercentOfTarget, double DecodedFps,
        long ClipsDropped, double WindowsPerSecond, double LatencyP50Ms, double LatencyP99Ms);

    public sealed record Result(int Cameras, double Seconds, double AnalysisFps, int Stride, string ExecutionProvider, IReadOnlyList<CameraRow> Rows,
        double ProcessCpuPercentOfOneCore, double PeakRssMb, double InferenceP50Ms, double ManagedBytesPerFrame, bool HoldsTarget, ClipResult? Clips);

    /// <summary>Event clips' share: the encoders' CPU (ffmpeg, a child process per clip), the rings, what was written.</summary>
    public sealed record ClipResult(ClipMode Mode, int Width, int Height, double Fps, double EncoderCpuPercentOfOneCore, double RingMbPerCamera,
        double JpegBytesPerFrame, double HeldSeconds, int ClipsWritten, long FramesDropped, double ClipSecondsMedian, double ClipMbMedian);

    public static Result Run(int cameras, double seconds, double warmupSeconds, double analysisFps, int stride, ModelDevice device, ClipMode clipMode,
        Action<string> progress)
    {
        var clip = BenchClip.Ensure(progress);
        using var scratch = new ScratchDirectory();
        var spec = BackboneSpec.Named(BackboneArch.VideoMambaPro, "tiny", 8, 112);
        var modelPath = Path.Combine(scratch.Path, "tiny-t8-112.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, RandomWeights.Create(spec, 0), ScanKind.Custom), modelPath);

        var options = new AgentOptions { DataDir = scratch.Path };
        for (var i = 0; i < cameras; i++)
        {
            options.Cameras.Add(new CameraOptions { Name = $"cam{i + 1}", Source = clip, AnalysisFps = analysisFps, Stride = stride, Loop = true });
        }
        options.Model.Device = device;
        options.Clips.Enabled = clipMode != ClipMode.Off;
        options.Clips.MinFreeDiskMegabytes = 0;
        var sources = options.Cameras.Select(c =>
        {
            CameraSource.TryParse(c.Source, "/", scratch.Path, out var source, out _);
            return source;
        }).ToList();

        using var model = OrtSessionFactory.Create(modelPath, options.Model, NullLogger.Instance);
        using var clips = new ClipRecorder(options, new ClipStore(scratch.Path, options.Clips, NullLogger<ClipStore>.Instance), NullLoggerFactory.Instance);
        using var pipeline = new Pipeline(options, sources, model, scorer: null, [], NullLoggerFactory.Instance, recordings: clips.Recordings);
        pipeline.Start();
        progress($"{cameras} camera(s): warming up {warmupSeconds:0} s");
        Thread.Sleep(TimeSpan.FromSeconds(warmupSeconds));

        var process = Process.GetCurrentProcess();
        var before = pipeline.Cameras.Select(c => (c.FramesAnalysed, c.FramesIn, c.ClipsDropped, c.WindowsScored)).ToArray();
        foreach (var camera in pipeline.Cameras) camera.Latency.Clear();
        pipeline.Inference.BatchLatency.Clear();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var childrenBefore = ChildrenCpuSeconds();
        var alerts = options.Cameras.Select(c => new AlertEvent(Guid.CreateVersion7().ToString("N"), c.Name, AlertPhase.Start, 0, 0, 1, 1, AlertSeverity.Warning)).ToList();
        if (clipMode == ClipMode.Record) foreach (var alert in alerts) clips.OnAlert(alert, Stopwatch.GetTimestamp());
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.StartNew();
        progress($"{cameras} camera(s): measuring {seconds:0} s");
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        wall.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds * 100;
        var elapsed = wall.Elapsed.TotalSeconds;

        var rows = pipeline.Cameras.Select((c, i) =>
        {
            var sampled = (c.FramesAnalysed - before[i].FramesAnalysed) / elapsed;
            var windows = (c.WindowsScored - before[i].WindowsScored) / elapsed;
            var analysed = windows * stride;
            return new CameraRow(c.Name, analysisFps, sampled, analysed, analysed / analysisFps * 100, (c.FramesIn - before[i].FramesIn) / elapsed,
                c.ClipsDropped - before[i].ClipsDropped, windows, c.Latency.Percentile(50), c.Latency.Percentile(99));
        }).ToList();
        var holds = rows.All(r => r.PercentOfTarget >= 95 && r.LatencyP99Ms < 1000);
        // Everything the process allocated (including this benchmark's own sleeps and timers) per decoded frame.
        var bytesPerFrame = allocated / Math.Max(1.0, rows.Sum(r => r.DecodedFps) * elapsed);
        var inference = pipeline.Inference.BatchLatency.Percentile(50);
        var clipResult = clipMode == ClipMode.Off ? null : ClipFigures(clips, alerts, clipMode, childrenBefore, elapsed, progress);
        pipeline.Stop(TimeSpan.FromSeconds(5));
        return new Result(cameras, elapsed, analysisFps, stride, pipeline.ExecutionProvider, rows, cpu, BenchMachine.PeakRssMb(), inference, bytesPerFrame, holds, clipResult);
    }

    /// <summary>Ends the open alerts, waits for their clips, and sums up: the encoders' CPU counts once they were reaped.</summary>
    private static ClipResult ClipFigures(ClipRecorder clips, List<AlertEvent> alerts, ClipMode mode, double childrenBefore, double elapsed, Action<string> progress)
    {
        var cameras = alerts.Count;
        if (mode == ClipMode.Record)
        {
            foreach (var alert in alerts) clips.OnAlert(alert with { Phase = AlertPhase.End }, Stopwatch.GetTimestamp());
            progress("waiting for the clips to be finished");
            // Generous: on a loaded machine the encoder, at low priority, may finish long after the video it was given.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(300);
            while (DateTime.UtcNow < deadline && Enumerable.Range(0, cameras).Any(i => clips.Stats(i) is { Written: 0, Failed: 0, Skipped: 0 })) Thread.Sleep(200);
        }
        var recordings = clips.Recordings.OfType<CameraRecording>().ToList();
        var files = alerts.Select(a => clips.Store.Find(a.Camera, a.Id)).OfType<string>().ToList();
        var sizes = files.Select(f => (double)new FileInfo(f).Length).ToList();
        return new ClipResult(mode, recordings[0].Width, recordings[0].Height, recordings[0].Fps,
            (ChildrenCpuSeconds() - childrenBefore) / elapsed * 100,
            recordings.Average(r => r.MemoryBytes) / (1024.0 * 1024.0),
            recordings.Sum(r => (double)r.BytesKept) / Math.Max(1, recordings.Sum(r => r.FramesKept)),
            recordings.Average(r => r.Ring?.HeldSeconds ?? 0),
            files.Count,
            Enumerable.Range(0, cameras).Sum(i => clips.Stats(i)?.FramesDropped ?? 0),
            files.Count == 0 ? 0 : NearestRank.Percentile(files.Select(ClipSeconds), 50),
            files.Count == 0 ? 0 : NearestRank.Percentile(sizes, 50) / (1024.0 * 1024.0));
    }

    /// <summary>An MP4's duration by ffprobe (Debian's, beside the ffmpeg that wrote it).</summary>
    private static double ClipSeconds(string path)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", path]) info.ArgumentList.Add(argument);
        using var probe = Process.Start(info)!;
        var text = probe.StandardOutput.ReadToEnd();
        probe.WaitForExit();
        return double.TryParse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
    }

    /// <summary>CPU seconds of this process's reaped children (utime + stime of the children, fields 16 and 17 of /proc/self/stat).</summary>
    private static double ChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): cutime is field 16, cstime field 17, in clock ticks (100 per second on Linux).
        return (long.Parse(fields[13]) + long.Parse(fields[14])) / 100.0;
    }
}
