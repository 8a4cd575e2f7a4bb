using System.Diagnostics;
using LineWatch.Capture;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// How fast the capture stack turns a video file into frames, and into the model's input: every frame decoded
/// (as fast as the machine allows, no real-time pacing), and in a second pass every frame also preprocessed to
/// 112x112 planar float (resize, BGR->RGB, ImageNet normalisation). The passes alternate, and the reported
/// rates are medians over the repeats. Managed bytes allocated on the reading thread per frame are measured in
/// the preprocessing pass: the capture hot path is meant to allocate nothing.
/// </summary>
internal static class DecodeBenchmark
{
    public const string Vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    private const int ModelSize = 112;

    public sealed record Row(string File, int Width, int Height, string Codec, string Backend, int Frames, double DecodeFps, double PreprocessFps,
        double PreprocessMsPerFrame, double ManagedBytesPerFrame);

    public sealed record Result(string Cpu, int LogicalCpus, string OpenCv, int Repeats, IReadOnlyList<Row> Rows);

    /// <param name="files">The videos; none means the benchmark clip (720p25 H.264) and opencv-doc's vtest.avi.</param>
    /// <param name="maxFrames">Frames per pass at most (0: the whole file).</param>
    public static Result Run(IReadOnlyList<string> files, int repeats, int maxFrames, Action<string> progress)
    {
        if (files.Count == 0) files = [BenchClip.Ensure(progress), Vtest];
        var rows = new List<Row>();
        var destination = new float[3 * ModelSize * ModelSize];
        foreach (var file in files)
        {
            var decode = new Samples();
            var preprocess = new Samples();
            var allocated = new Samples();
            var frames = 0;
            Pass(file, maxFrames, null, out _); // warm-up: JIT, the decoder's first open, the page cache
            for (var i = 0; i < repeats; i++)
            {
                var (count, seconds) = Pass(file, maxFrames, null, out _);
                decode.Add(count / seconds);
                (count, seconds) = Pass(file, maxFrames, destination, out var bytes);
                preprocess.Add(count / seconds);
                allocated.Add(bytes / (double)Math.Max(1, count));
                frames = count;
            }
            using var video = VideoSource.Open(file);
            var info = video.Info;
            var row = new Row(Path.GetFileName(file), info.Width, info.Height, Codec(file), info.Backend, frames, decode.Median, preprocess.Median,
                1000 / preprocess.Median - 1000 / decode.Median, allocated.Median);
            progress($"{row.File}: decode {row.DecodeFps:0} fps, decode+preprocess {row.PreprocessFps:0} fps");
            rows.Add(row);
        }
        return new Result(CpuModel(), Environment.ProcessorCount, OpenCvInfo.Version, repeats, rows);
    }

    /// <summary>Reads the file once, preprocessing every frame when given a destination. Returns frames and seconds.</summary>
    private static (int Frames, double Seconds) Pass(string file, int maxFrames, float[]? destination, out long allocatedBytes)
    {
        using var video = VideoSource.Open(file);
        var frames = 0;
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        while ((maxFrames == 0 || frames < maxFrames) && video.TryRead(out var frame))
        {
            if (destination is not null) FramePreprocessor.Normalize(frame, ModelSize, ModelSize, destination);
            frames++;
        }
        allocatedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();
        if (frames == 0) throw new VideoSourceException($"{file}: no frame could be decoded");
        return (frames, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The codec as ffprobe names it (the capture API does not say); "?" when ffprobe is missing.</summary>
    private static string Codec(string file)
    {
        try
        {
            using var ffprobe = Process.Start(new ProcessStartInfo("ffprobe",
                ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "default=nw=1:nk=1", file])
            { RedirectStandardOutput = true, RedirectStandardError = true });
            if (ffprobe is null) return "?";
            var name = ffprobe.StandardOutput.ReadToEnd().Trim();
            ffprobe.WaitForExit();
            return name.Length > 0 ? name : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    /// <summary>The processor's model name as the kernel reports it (what `lscpu` prints).</summary>
    public static string CpuModel()
    {
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        return "unknown CPU";
    }
}
