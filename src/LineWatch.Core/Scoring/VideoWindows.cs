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
        using var source = VideoSource.Open(video);
        using var probe = new FrameSignalProbe();
        var fps = source.Info.Fps is > 0 and < 240 ? source.Info.Fps : 25;
        var shape = runner.Shape;
        var window = new FrameWindow(shape, stride);
        var pool = new ClipPool(shape);
        var pending = new List<Clip>(runner.MaxBatch);
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
                if (window.Commit(frame))
                {
                    var clip = pool.Rent();
                    window.CopyTo(clip);
                    pending.Add(clip);
                    if (pending.Count == runner.MaxBatch) Flush(runner, pending, pool, handler);
                }
            }
            frame++;
        }
        Flush(runner, pending, pool, handler);
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
