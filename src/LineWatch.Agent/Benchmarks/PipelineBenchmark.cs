using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using LineWatch.Processing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// N file cameras of 1280x720 at 25 fps, played in real time through the whole pipeline (decode, sample,
/// preprocess, window, batched inference) with the tiny backbone at 112² and T=8 on CPU. Measures what each
/// camera really got analysed against its target rate, drops, capture-to-score latency, CPU and peak RSS.
/// </summary>
internal static class PipelineBenchmark
{
    /// <summary>AnalysedFps counts the frames that reached the scorer: scored windows per second times the stride
    /// (each window brings <c>stride</c> new frames). Frames of a dropped clip were sampled but not analysed.</summary>
    public sealed record CameraRow(string Camera, double TargetFps, double SampledFps, double AnalysedFps, double PercentOfTarget, double DecodedFps,
        long ClipsDropped, double WindowsPerSecond, double LatencyP50Ms, double LatencyP99Ms);

    public sealed record Result(int Cameras, double Seconds, double AnalysisFps, int Stride, string ExecutionProvider, IReadOnlyList<CameraRow> Rows,
        double ProcessCpuPercentOfOneCore, double PeakRssMb, double InferenceP50Ms, double ManagedBytesPerFrame, bool HoldsTarget);

    public static Result Run(int cameras, double seconds, double warmupSeconds, double analysisFps, int stride, ModelDevice device, Action<string> progress)
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
        var sources = options.Cameras.Select(c =>
        {
            CameraSource.TryParse(c.Source, "/", scratch.Path, out var source, out _);
            return source;
        }).ToList();

        using var model = OrtSessionFactory.Create(modelPath, options.Model, NullLogger.Instance);
        using var pipeline = new Pipeline(options, sources, model, scorer: null, [], NullLoggerFactory.Instance);
        pipeline.Start();
        progress($"{cameras} camera(s): warming up {warmupSeconds:0} s");
        Thread.Sleep(TimeSpan.FromSeconds(warmupSeconds));

        var process = Process.GetCurrentProcess();
        var before = pipeline.Cameras.Select(c => (c.FramesAnalysed, c.FramesIn, c.ClipsDropped, c.WindowsScored)).ToArray();
        foreach (var camera in pipeline.Cameras) camera.Latency.Clear();
        pipeline.Inference.BatchLatency.Clear();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
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
        pipeline.Stop(TimeSpan.FromSeconds(5));
        return new Result(cameras, elapsed, analysisFps, stride, pipeline.ExecutionProvider, rows, cpu, BenchMachine.PeakRssMb(), inference, bytesPerFrame, holds);
    }
}
