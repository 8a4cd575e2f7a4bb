using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using LineWatch.Configuration;
using LineWatch.Processing;
using Microsoft.Extensions.Logging;

namespace LineWatch.Record;

/// <summary>One alert's clip to write: from its start (minus the pre-roll) to its end (plus the post-roll).</summary>
internal sealed class ClipJob(string alertId, long startTicks)
{
    private long _endTicks = long.MaxValue;

    public string AlertId { get; } = alertId;
    public long StartTicks { get; } = startTicks;

    /// <summary>Capture time of the alert's end; <see cref="long.MaxValue"/> while it goes on.</summary>
    public long EndTicks => Interlocked.Read(ref _endTicks);

    public void End(long ticks) => Interlocked.Exchange(ref _endTicks, ticks);
}

/// <summary>
/// A camera's clip writer: its own thread takes alerts one after the other, and for each reads the camera's
/// <see cref="PreRollRing"/> from the pre-roll's first frame on, piping the JPEG frames to an ffmpeg process that
/// encodes H.264 into an MP4 (faststart, so a browser plays it before it has it all). The frames are laid on a
/// constant-rate timeline by their capture times (the first frame after a gap is repeated to fill it), so the clip
/// lasts as long as what it shows. It never holds capture up: a writer slower than the camera
/// loses the oldest unwritten frames to the ring, counted in <see cref="FramesDropped"/>; alerts beyond the small
/// queue are not recorded, counted in <see cref="Skipped"/>.
/// </summary>
internal sealed class ClipWriter : IDisposable
{
    private const int QueuedAlerts = 4;
    private static readonly TimeSpan EncoderExitTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DiskCheckInterval = TimeSpan.FromSeconds(1);

    private readonly CameraRecording _recording;
    private readonly ClipOptions _options;
    private readonly ClipStore _store;
    private readonly ILogger _logger;
    private readonly Channel<ClipJob> _jobs = Channel.CreateBounded<ClipJob>(new BoundedChannelOptions(QueuedAlerts) { FullMode = BoundedChannelFullMode.Wait });
    private readonly DedicatedThread _loop;
    private readonly Dictionary<string, ClipJob> _open = [];
    private byte[] _frame = new byte[256 * 1024];
    private long _written, _failed, _skipped, _framesDropped;
    private volatile string? _current;

    public ClipWriter(CameraRecording recording, ClipOptions options, ClipStore store, ILogger logger)
    {
        (_recording, _options, _store, _logger) = (recording, options, store, logger);
        _loop = new DedicatedThread($"clips-{recording.Camera}", Run);
    }

    public long Written => Interlocked.Read(ref _written);
    public long Failed => Interlocked.Read(ref _failed);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    /// <summary>The alert whose clip is being written now, or null.</summary>
    public string? Current => _current;

    public void Start() => _loop.Start();

    /// <summary>On the inference thread: the alert started; its clip is queued (or, the queue full, skipped and counted).</summary>
    public void Begin(string alertId, long startTicks)
    {
        var job = new ClipJob(alertId, startTicks);
        lock (_open)
        {
            if (!_jobs.Writer.TryWrite(job))
            {
                Interlocked.Increment(ref _skipped);
                _logger.LogWarning("Alert {Id} on {Camera}: no clip, {Queued} clips are already waiting to be written", alertId, _recording.Camera, QueuedAlerts);
                return;
            }
            _open[alertId] = job;
        }
    }

    /// <summary>The alert ended at <paramref name="endTicks"/>; true when its clip is being (or about to be) written, or was
    /// already written (cut at <c>Clips:MaxSeconds</c> while the alert went on).</summary>
    public bool End(string alertId, long endTicks)
    {
        lock (_open)
        {
            if (_open.Remove(alertId, out var job))
            {
                job.End(endTicks);
                return true;
            }
        }
        return _store.Find(_recording.Camera, alertId) is not null;
    }

    private void Run()
    {
        var token = _loop.Token;
        try
        {
            while (_jobs.Reader.WaitToReadAsync(token).AsTask().GetAwaiter().GetResult())
            {
                while (_jobs.Reader.TryRead(out var job))
                {
                    _current = job.AlertId;
                    try
                    {
                        Write(job, token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Interlocked.Increment(ref _failed);
                        _logger.LogError(e, "Clip of alert {Id} on {Camera} failed", job.AlertId, _recording.Camera);
                    }
                    finally
                    {
                        _current = null;
                        lock (_open) _open.Remove(job.AlertId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void Write(ClipJob job, CancellationToken token)
    {
        var camera = _recording.Camera;
        if (!_store.HasRoom(out var reason))
        {
            Skip(job, reason);
            return;
        }
        if (_recording.Ring is not { } ring)
        {
            Skip(job, "the camera has not delivered video yet");
            return;
        }
        var fps = _recording.Fps;
        var frequency = (double)Stopwatch.Frequency;
        var sequence = ring.FirstAtOrAfter(job.StartTicks - (long)(_options.PreRollSeconds * frequency));
        var part = _store.PartPathOf(camera, job.AlertId);
        Directory.CreateDirectory(Path.GetDirectoryName(part)!);
        using var encoder = StartEncoder(fps, part);
        var stdin = encoder.StandardInput.BaseStream;
        var errors = encoder.StandardError.ReadToEndAsync(CancellationToken.None);
        var waits = new[] { ring.Appended, token.WaitHandle };
        var lastAllowed = job.StartTicks + (long)((_options.MaxSeconds - _options.PreRollSeconds) * frequency);
        long firstTicks = -1, lastTicks = 0, slots = 0, dropped = 0;
        var nextDiskCheck = Stopwatch.GetTimestamp();
        string? outcome = null;
        while (outcome is null)
        {
            var now = Stopwatch.GetTimestamp();
            var end = job.EndTicks;
            var stopAt = end == long.MaxValue ? lastAllowed : Math.Min(lastAllowed, end + (long)(_options.PostRollSeconds * frequency));
            if (token.IsCancellationRequested) outcome = "cut short: the agent is stopping";
            else if (_recording.Ring != ring) outcome = "cut short: the camera's stream changed size";
            else if (now >= nextDiskCheck && _store.FreeBytes() < _options.MinFreeDiskMegabytes * 1024 * 1024) outcome = "cut short: the disk is nearly full";
            if (outcome is not null) break;
            if (now >= nextDiskCheck) nextDiskCheck = now + (long)(DiskCheckInterval.TotalSeconds * frequency);
            var read = ring.TryRead(sequence, ref _frame, out var length, out var ticks);
            if (read == RingRead.Overwritten)
            {
                var oldest = ring.Oldest;
                dropped += oldest - sequence;
                sequence = oldest;
            }
            else if (read == RingRead.NotYet)
            {
                if (now >= stopAt) outcome = stopAt == lastAllowed ? "cut at Clips:MaxSeconds" : "complete";
                else WaitHandle.WaitAny(waits, TimeSpan.FromMilliseconds(500));
            }
            else if (ticks >= stopAt)
            {
                outcome = stopAt == lastAllowed ? "cut at Clips:MaxSeconds" : "complete";
            }
            else
            {
                sequence++;
                if (firstTicks < 0) firstTicks = ticks;
                // The frame's place on the clip's constant-rate timeline; empty places before it (a gap) repeat it.
                var slot = (long)Math.Round((ticks - firstTicks) / frequency * fps);
                if (slot < slots) continue;
                try
                {
                    for (; slots <= slot; slots++) stdin.Write(_frame, 0, length);
                }
                catch (IOException)
                {
                    outcome = "ffmpeg stopped reading"; // its exit code and messages tell why, below
                }
                lastTicks = ticks;
            }
        }
        try
        {
            stdin.Close();
        }
        catch (IOException)
        {
            // ffmpeg already gone: its exit code says how it ended
        }
        if (!encoder.WaitForExit(EncoderExitTimeout))
        {
            encoder.Kill();
            File.Delete(part);
            throw new IOException($"ffmpeg did not finish the clip within {EncoderExitTimeout.TotalSeconds:0} s");
        }
        Interlocked.Add(ref _framesDropped, dropped);
        if (slots == 0 || encoder.ExitCode != 0)
        {
            File.Delete(part);
            Interlocked.Increment(ref _failed);
            _logger.LogError("Clip of alert {Id} on {Camera} not written ({Frames} frames; ffmpeg exit {Code}): {Errors}", job.AlertId, camera, slots,
                encoder.ExitCode, Tail(errors.GetAwaiter().GetResult()));
            return;
        }
        _store.Complete(camera, job.AlertId);
        Interlocked.Increment(ref _written);
        var preRoll = (job.StartTicks - firstTicks) / frequency;
        _logger.LogInformation("Clip of alert {Id} on {Camera}: {Seconds:0.0} s ({PreRoll:0.0} s before the alert, {Frames} frames at {Fps:0.#} fps, {Dropped} dropped), {Outcome}",
            job.AlertId, camera, (lastTicks - firstTicks) / frequency + 1 / fps, preRoll, slots, fps, dropped, outcome);
        _store.Prune();
    }

    private Process StartEncoder(double fps, string output)
    {
        var info = new ProcessStartInfo(_options.FfmpegPath)
        {
            RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = false, UseShellExecute = false,
        };
        foreach (var argument in (string[])["-hide_banner", "-nostats", "-loglevel", "error", "-f", "mjpeg", "-framerate", fps.ToString("0.###", CultureInfo.InvariantCulture),
            "-i", "pipe:0", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", _options.Crf.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", "-y", output])
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new IOException($"{_options.FfmpegPath} did not start");
        try
        {
            // The encoder yields to capture and inference when the machine is busy.
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It ran and ended already (it failed: its exit code says so below), or the priority cannot be lowered here.
        }
        return process;
    }

    private void Skip(ClipJob job, string reason)
    {
        Interlocked.Increment(ref _skipped);
        _logger.LogWarning("Alert {Id} on {Camera}: no clip, {Reason}", job.AlertId, _recording.Camera, reason);
    }

    private static string Tail(string text) => text.Length <= 600 ? text.Trim() : "…" + text[^600..].Trim();

    public void Stop(TimeSpan timeout) => _loop.Stop(timeout);

    public void Dispose() => _loop.Dispose();
}
