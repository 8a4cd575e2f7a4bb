using System.Diagnostics;
using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.Record;
using Microsoft.Extensions.Logging;

namespace LineWatch.Processing;

/// <summary>
/// One camera's capture thread: opens the source, reads every frame as it arrives (files are played at their
/// own rate, in real time), takes the newest frame at the analysis rate into the frame window and queues a
/// clip every stride frames. A failure or a silent source leads to a reconnect with backoff; nothing here
/// can stop another camera. Preprocessing happens on this thread, straight into the window's ring slot.
/// </summary>
public sealed class CameraWorker : IDisposable
{
    private const double DefaultFileFps = 25;
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    private readonly int _index;
    private readonly CameraOptions _options;
    private readonly CameraSource _source;
    private readonly ClipShape _shape;
    private readonly InferenceQueue _queue;
    private readonly ClipPool _pool;
    private readonly ILogger _logger;
    private readonly FrameWindow _window;
    private readonly FrameSignalProbe _probe = new();
    private readonly FrameSampler _sampler;
    private readonly ReconnectBackoff _backoff;
    private readonly DedicatedThread _loop;
    private readonly IAnalysisSwitch? _switch;
    private readonly LiveFrame _live;
    private readonly CameraRecording? _recording;
    private volatile bool _reconnectRequested;
    private long _sequence;

    public CameraWorker(int index, CameraOptions options, CameraSource source, ClipShape shape, InferenceQueue queue, ClipPool pool,
        CameraStats stats, LiveFrame live, IAnalysisSwitch? analysisSwitch, ILogger logger, CameraRecording? recording = null)
    {
        _live = live;
        _recording = recording;
        (_index, _options, _source, _shape, _queue, _pool, Stats, _logger) = (index, options, source, shape, queue, pool, stats, logger);
        _switch = analysisSwitch;
        _window = new FrameWindow(shape, options.Stride);
        _sampler = new FrameSampler(options.AnalysisFps);
        _backoff = new ReconnectBackoff(TimeSpan.FromSeconds(options.MaxBackoffSeconds), TimeProvider.System);
        _loop = new DedicatedThread($"capture-{options.Name}", Run);
    }

    public CameraStats Stats { get; }
    public TimeSpan Watchdog => TimeSpan.FromSeconds(_options.WatchdogSeconds);

    public void Start() => _loop.Start();

    /// <summary>Called by the watchdog: the capture thread drops the source after its current read.</summary>
    public void RequestReconnect() => _reconnectRequested = true;

    private enum StreamEnd { Stopping, EndOfFile, Silent, Failed, Watchdog }

    private void Run()
    {
        var everStreamed = false;
        while (!_loop.Token.IsCancellationRequested)
        {
            Stats.SetState(CameraState.Connecting);
            VideoSource video;
            try
            {
                video = VideoSource.Open(_source.Location, OpenTimeout, Watchdog);
            }
            catch (VideoSourceException e)
            {
                Stats.Error(e.Message);
                Stats.SetState(CameraState.Offline);
                var delay = _backoff.Next();
                _logger.LogWarning("Camera {Camera} offline: {Reason}; retrying in {Delay:0.0} s", _options.Name, e.Message, delay.TotalSeconds);
                if (_loop.Token.WaitHandle.WaitOne(delay)) break;
                if (everStreamed) Stats.Reconnected();
                continue;
            }

            StreamEnd end;
            using (video)
            {
                _logger.LogInformation("Camera {Camera} open: {Width}x{Height} at {Fps:0.#} fps via {Backend}", _options.Name,
                    video.Info.Width, video.Info.Height, video.Info.Fps, video.Info.Backend);
                end = StreamGuarded(video);
            }
            everStreamed = true;
            if (end == StreamEnd.Stopping) break;
            if (end == StreamEnd.EndOfFile && _options.Loop && IsFile) continue; // play the file again, no reconnect
            if (end == StreamEnd.EndOfFile)
            {
                Stats.SetState(CameraState.Offline);
                _logger.LogInformation("Camera {Camera}: end of file", _options.Name);
                _loop.Token.WaitHandle.WaitOne();
                break;
            }
            var wait = _backoff.Next();
            _logger.LogWarning("Camera {Camera} lost ({End}); reconnecting in {Delay:0.0} s", _options.Name, end, wait.TotalSeconds);
            if (_loop.Token.WaitHandle.WaitOne(wait)) break;
            Stats.Reconnected();
        }
    }

    /// <summary>
    /// A bug or an unforeseen failure anywhere on the capture path ends this stream like a lost connection (counted,
    /// shown on the camera, reopened after the backoff), not the capture thread and with it the agent.
    /// </summary>
    private StreamEnd StreamGuarded(VideoSource video)
    {
        try
        {
            return Stream(video);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Stats.Error($"capture failed: {e.Message}");
            _logger.LogError(e, "Camera {Camera}: capture failed", _options.Name);
            return StreamEnd.Failed;
        }
    }

    private bool IsFile => _source.Kind is CameraSourceKind.File or CameraSourceKind.Demo;

    private StreamEnd Stream(VideoSource video)
    {
        _window.Reset();
        _probe.Reset();
        _sampler.Reset();
        var (thumbWidth, thumbHeight) = ClipShape.ThumbnailSize(video.Info.Width, video.Info.Height);
        _window.KeepThumbnails(thumbWidth, thumbHeight);
        _reconnectRequested = false;
        var fps = video.Info.Fps is > 0 and < 240 ? video.Info.Fps : DefaultFileFps;
        var interval = (long)(Stopwatch.Frequency / fps);
        _recording?.Open(video.Info.Width, video.Info.Height, fps);
        var due = Stopwatch.GetTimestamp();
        var settled = due + (long)(_options.SettleSeconds * Stopwatch.Frequency);
        long framesRead = 0;
        while (!_loop.Token.IsCancellationRequested)
        {
            VideoFrame frame;
            bool read;
            try
            {
                read = video.TryRead(out frame);
            }
            catch (VideoSourceException e)
            {
                Stats.Error(e.Message);
                return StreamEnd.Failed;
            }
            if (_reconnectRequested) return StreamEnd.Watchdog;
            if (!read)
            {
                if (!IsFile) return StreamEnd.Silent;
                // A file that stops well before the frame count in its header is damaged (truncated, corrupt
                // data the decoder gave up on): worth an error on the camera, even though playback goes on.
                var expected = video.Info.FrameCount;
                if (expected > 0 && framesRead < expected * 0.98)
                {
                    Stats.Error($"{_source.Location}: stream ended at frame {framesRead} of {expected:0} (damaged file?)");
                }
                return StreamEnd.EndOfFile;
            }
            framesRead++;

            var now = Stopwatch.GetTimestamp();
            Stats.FrameIn(now);
            if (Stats.State != CameraState.Streaming)
            {
                Stats.SetState(CameraState.Streaming);
                _backoff.Connected();
            }
            if (_live.Due(now)) UpdateLive(frame, now);
            if (now >= settled && _sampler.Take(now)) Analyse(frame, now);
            else Stats.FrameSkipped();
            // Last: with the heatmap burnt in, it draws on the picture in place.
            _recording?.OnFrame(frame, now);

            if (IsFile)
            {
                // Real time: a file frame is released when its time comes, as a camera would deliver it.
                due += interval;
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    if (_loop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency))) return StreamEnd.Stopping;
                }
                else if (-wait > Stopwatch.Frequency)
                {
                    due = Stopwatch.GetTimestamp(); // more than a second behind (machine overloaded): do not race to catch up
                }
            }
        }
        return StreamEnd.Stopping;
    }

    private void Analyse(in VideoFrame frame, long now)
    {
        try
        {
            FramePreprocessor.Normalize(frame, _shape.ImageSize, _shape.ImageSize, _window.NextSlot);
            _probe.Measure(frame, _shape.ImageSize, _shape.Grid, _window.NextSignals);
            FramePreprocessor.Thumbnail(frame, _window.ThumbnailWidth, _window.ThumbnailHeight, _window.NextThumbnail);
        }
        catch (VideoSourceException e)
        {
            Stats.Error(e.Message);
            return;
        }
        Stats.FrameAnalysed();
        if (!_window.Commit(now) || _switch?.IsAnalysing(_index) == false) return;
        var clip = _pool.Rent();
        _window.CopyTo(clip);
        clip.CameraIndex = _index;
        clip.Camera = Stats;
        clip.Sequence = ++_sequence;
        _queue.Enqueue(clip);
        Stats.ClipQueued();
    }

    private void UpdateLive(in VideoFrame frame, long now)
    {
        try
        {
            _live.Update(frame, now);
        }
        catch (VideoSourceException e)
        {
            Stats.Error(e.Message);
        }
    }

    public void Stop(TimeSpan timeout) => _loop.Stop(timeout);

    public void Dispose()
    {
        _loop.Dispose();
        _probe.Dispose();
    }
}
