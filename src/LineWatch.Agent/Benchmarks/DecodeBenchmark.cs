using System.Diagnostics;
using LineWatch.Capture;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// How fast the capture stack turns a video file into frames, and into the model's input: every frame decoded
/// (as fast as the machine allows, no real-time pacing), and in a second pass every frame also preprocessed to
/// 112x112 planar float (resize, BGR->RGB, ImageNet normalisation), and in a third pass also its frame signals
/// measured as a live camera does (optical flow per region against the previous frame, light), and in a fourth
/// decoded and kept as an event clip's pre-roll frame (JPEG at the camera's size into the ring). The passes
/// alternate, and the reported
/// rates are medians over the repeats. CPU time per frame counts every thread of the process (FFmpeg decodes on
/// several), so it measures the cost even when other work on a shared machine slows the wall clock. Managed bytes
/// allocated on the reading thread per frame are measured in the preprocessing pass: the capture hot path is meant
/// to allocate nothing.
/// </summary>
internal static class DecodeBenchmark
{
    public const string Vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    private const int ModelSize = 112;

    public sealed record Row(string File, int Width, int Height, string Codec, string Backend, int Frames, double DecodeFps, double PreprocessFps,
        double PreprocessMsPerFrame, double DecodeCpuMsPerFrame, double PreprocessCpuMsPerFrame, double ManagedBytesPerFrame,
        double SignalsFps, double SignalsMsPerFrame, double ClipFrameCpuMsPerFrame, double ClipJpegBytesPerFrame);

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
            Samples decode = new(), preprocess = new(), decodeCpu = new(), preprocessCpu = new(), allocated = new(), signals = new(), clipCpu = new();
            var jpegBytes = 0.0;
            var frames = 0;
            Pass(file, maxFrames, null); // warm-up: JIT, the decoder's first open, the page cache
            for (var i = 0; i < repeats; i++)
            {
                var pass = Pass(file, maxFrames, null);
                decode.Add(pass.Frames / pass.Seconds);
                var decodeCpuMs = pass.CpuSeconds * 1000 / pass.Frames;
                decodeCpu.Add(decodeCpuMs);
                pass = Pass(file, maxFrames, destination);
                preprocess.Add(pass.Frames / pass.Seconds);
                preprocessCpu.Add(pass.CpuSeconds * 1000 / pass.Frames);
                allocated.Add(pass.AllocatedBytes / (double)pass.Frames);
                frames = pass.Frames;
                pass = Pass(file, maxFrames, destination, withSignals: true);
                signals.Add(pass.Frames / pass.Seconds);
                var recording = new Record.CameraRecording("bench", new Configuration.ClipOptions(), null);
                pass = Pass(file, maxFrames, null, recording: recording);
                clipCpu.Add(pass.CpuSeconds * 1000 / pass.Frames - decodeCpuMs); // what keeping the frame adds to decoding it
                jpegBytes = recording.BytesKept / (double)recording.FramesKept;
                recording.Dispose();
            }
            using var video = VideoSource.Open(file);
            var info = video.Info;
            var row = new Row(Path.GetFileName(file), info.Width, info.Height, Codec(file), info.Backend, frames, decode.Median, preprocess.Median,
                1000 / preprocess.Median - 1000 / decode.Median, decodeCpu.Median, preprocessCpu.Median, allocated.Median,
                signals.Median, 1000 / signals.Median - 1000 / preprocess.Median, clipCpu.Median, jpegBytes);
            progress($"{row.File}: decode {row.DecodeFps:0} fps, decode+preprocess {row.PreprocessFps:0} fps, +signals {row.SignalsFps:0} fps");
            rows.Add(row);
        }
        return new Result(BenchMachine.CpuModel(), Environment.ProcessorCount, OpenCvInfo.Version, repeats, rows);
    }

    private readonly record struct PassResult(int Frames, double Seconds, double CpuSeconds, long AllocatedBytes);

    /// <summary>Reads the file once, preprocessing every frame when given a destination, measuring its signals too when asked,
    /// and keeping it in a clip's pre-roll when given a recording.</summary>
    private static PassResult Pass(string file, int maxFrames, float[]? destination, bool withSignals = false, Record.CameraRecording? recording = null)
    {
        using var video = VideoSource.Open(file);
        recording?.Open(video.Info.Width, video.Info.Height, 25);
        using var probe = new FrameSignalProbe();
        var frameSignals = new float[FrameSignals.Length(ModelSize / Processing.ClipShape.PatchSize)];
        using var process = Process.GetCurrentProcess();
        var frames = 0;
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        while ((maxFrames == 0 || frames < maxFrames) && video.TryRead(out var frame))
        {
            if (destination is not null) FramePreprocessor.Normalize(frame, ModelSize, ModelSize, destination);
            if (withSignals) probe.Measure(frame, ModelSize, ModelSize / Processing.ClipShape.PatchSize, frameSignals);
            recording?.OnFrame(frame, Stopwatch.GetTimestamp());
            frames++;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        clock.Stop();
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        if (frames == 0) throw new VideoSourceException($"{file}: no frame could be decoded");
        return new PassResult(frames, clock.Elapsed.TotalSeconds, cpuSeconds, allocated);
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
}
