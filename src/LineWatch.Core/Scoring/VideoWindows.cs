using LineWatch.Capture;
using LineWatch.Processing;

namespace LineWatch.Scoring;

/// <summary>One window of a video file, analysed offline: which frame ends it, its features and its frames'
/// signals (valid only during the callback).</summary>
public readonly ref struct OfflineWindow(int newestFrame, ReadOnlySpan<float> embedding, ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals)
{
    public int NewestFrame { get; } = newestFrame;
    public ReadOnlySpan<float> Embedding { get; } = embedding;
    public ReadOnlySpan<float> Tokens { get; } = tokens;
    public ReadOnlySpan<float> Signals { get; } = signals;
}

public delegate void OfflineWindowHandler(in OfflineWindow window);

/// <summary>One window's frame signals (T x <see cref="FrameSignals"/>), valid only during the callback.</summary>
public delegate void WindowSignalsHandler(int newestFrame, ReadOnlySpan<float> signals);

/// <summary>
/// Runs a video file through the same sampling, windowing and backbone as a live camera, but as fast as the
/// machine allows and timed by the video's own clock (frame index / fps), so learning and evaluation see the
/// windows the agent would see live.
/// </summary>
public static class VideoWindows
{
    /// <param name="settleSeconds">Video time at the start that is read but not analysed, as a live camera does after opening.</param>
    /// <param name="maxSeconds">Stop after this much video time (a live stream never ends); infinity for the whole file.</param>
    /// <returns>The number of frames read.</returns>
    public static int Run(string video, BackboneRunner runner, double analysisFps, int stride, double settleSeconds, OfflineWindowHandler handler,
        double maxSeconds = double.PositiveInfinity)
    {
        var pool = new ClipPool(runner.Shape);
        var pending = new List<Clip>(runner.MaxBatch);
        var frames = Sample(video, runner.Shape, analysisFps, stride, settleSeconds, maxSeconds, window =>
        {
            var clip = pool.Rent();
            window.CopyTo(clip);
            pending.Add(clip);
            if (pending.Count == runner.MaxBatch) Flush(runner, pending, pool, handler);
        });
        Flush(runner, pending, pool, handler);
        return frames;
    }

    /// <summary>
    /// The same windows' frame signals only, without the backbone: what a window cache needs when only
    /// <see cref="FrameSignalProbe"/> has changed. Costs the decoding and the probe, a small part of a backbone run.
    /// </summary>
    public static int Signals(string video, ClipShape shape, double analysisFps, int stride, double settleSeconds, WindowSignalsHandler handler)
    {
        var clip = new Clip(shape);
        return Sample(video, shape, analysisFps, stride, settleSeconds, double.PositiveInfinity, window =>
        {
            window.CopyTo(clip);
            handler((int)clip.NewestFrameTicks, clip.Signals);
        });
    }

    /// <summary>Reads the video, preprocesses and probes each analysed frame, and hands every due window to <paramref name="due"/>.</summary>
    private static int Sample(string video, ClipShape shape, double analysisFps, int stride, double settleSeconds, double maxSeconds, Action<FrameWindow> due)
    {
        using var source = VideoSource.Open(video);
        using var probe = new FrameSignalProbe();
        var fps = source.Info.Fps is > 0 and < 240 ? source.Info.Fps : 25;
        var window = new FrameWindow(shape, stride);
        var nextSample = settleSeconds;
        var frame = 0;
        while (frame / fps < maxSeconds && source.TryRead(out var image))
        {
            var time = frame / fps;
            if (time + 1e-9 >= nextSample)
            {
                nextSample += 1 / analysisFps;
                FramePreprocessor.Normalize(image, shape.ImageSize, shape.ImageSize, window.NextSlot);
                probe.Measure(image, shape.ImageSize, shape.Grid, window.NextSignals);
                if (window.Commit(frame)) due(window);
            }
            frame++;
        }
        return frame;
    }

    private static void Flush(BackboneRunner runner, List<Clip> pending, ClipPool pool, OfflineWindowHandler handler)
    {
        if (pending.Count == 0) return;
        for (var i = 0; i < pending.Count; i++) pending[i].Data.CopyTo(runner.InputSlot(i));
        runner.Run(pending.Count);
        for (var i = 0; i < pending.Count; i++)
        {
            handler(new OfflineWindow((int)pending[i].NewestFrameTicks, runner.Embedding(i).Span, runner.Tokens(i).Span, pending[i].Signals));
            pool.Return(pending[i]);
        }
        pending.Clear();
    }
}
