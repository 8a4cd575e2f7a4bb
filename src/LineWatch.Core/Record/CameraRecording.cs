using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.Processing;

namespace LineWatch.Record;

/// <summary>
/// One camera's share of event clips on its capture thread: every frame (or, from a faster camera, the newest at
/// <c>Clips:MaxFps</c>) goes into the camera's <see cref="PreRollRing"/> as JPEG at the clip's size. The ring is made
/// with the camera's first frame (its resolution, rate and first JPEG decide its size) and again only if the
/// resolution or rate changes; after that nothing here allocates.
/// </summary>
public sealed class CameraRecording : IDisposable
{
    /// <summary>Kept beyond the pre-roll: the alert's start is known only after its window was analysed (about a second
    /// later), and the writer reads from the same ring, so this is also its slack before frames are dropped.</summary>
    public const double HeadroomSeconds = 3;

    /// <summary>The arena holds, per frame, 1.5 times the camera's first JPEG (the same scene stays about that size),
    /// but at least this many bytes per pixel (a first frame may be black). Frames that grow beyond it only shorten the
    /// seconds held (the dashboard's health view shows them), never take more memory.</summary>
    public const double MinArenaBytesPerPixel = 0.1;
    public const double ArenaPerFirstFrame = 1.5;

    private readonly ClipOptions _options;
    private readonly ClipFrameEncoder _encoder;
    private FrameSampler? _sampler;
    private volatile PreRollRing? _ring;
    private long _framesKept, _bytesKept, _encodeErrors;
    private string? _lastError;

    public CameraRecording(string camera, ClipOptions options, HeatmapOverlay? overlay)
    {
        Camera = camera;
        _options = options;
        Overlay = overlay;
        _encoder = new ClipFrameEncoder(options.JpegQuality);
    }

    public string Camera { get; }
    public HeatmapOverlay? Overlay { get; }

    /// <summary>The ring, or null before the camera's first frame.</summary>
    public PreRollRing? Ring => _ring;

    /// <summary>The clip's size and frame rate for the current stream.</summary>
    public int Width { get; private set; }
    public int Height { get; private set; }
    public double Fps { get; private set; }

    public long FramesKept => Interlocked.Read(ref _framesKept);

    /// <summary>JPEG bytes of all frames kept: over <see cref="FramesKept"/>, what a frame of this camera takes in the ring.</summary>
    public long BytesKept => Interlocked.Read(ref _bytesKept);
    public long EncodeErrors => Interlocked.Read(ref _encodeErrors);
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Memory held for this camera's pre-roll (the arena and its table).</summary>
    public long MemoryBytes => _ring is { } ring ? ring.ByteCapacity + ring.FrameCapacity * 20L : 0;

    /// <summary>On the capture thread, when a stream opens: sizes the ring for its resolution and rate.</summary>
    public void Open(int cameraWidth, int cameraHeight, double cameraFps)
    {
        var (width, height) = _options.MaxWidth > 0
            ? ClipShape.Fit(cameraWidth, cameraHeight, _options.MaxWidth, _options.MaxHeight)
            : ClipShape.Fit(cameraWidth, cameraHeight, cameraWidth, cameraHeight);
        var fps = Math.Min(cameraFps, _options.MaxFps);
        _sampler = cameraFps > _options.MaxFps ? new FrameSampler(_options.MaxFps) : null;
        if (_ring is not null && (width, height, fps) == (Width, Height, Fps)) return;
        (Width, Height, Fps) = (width, height, fps);
        _ring = null; // made with the stream's first frame, sized by it
    }

    private PreRollRing MakeRing(int firstJpegBytes)
    {
        var frames = (int)Math.Ceiling((_options.PreRollSeconds + HeadroomSeconds) * Fps) + 1;
        var perFrame = Math.Max(firstJpegBytes * ArenaPerFirstFrame, (double)Width * Height * MinArenaBytesPerPixel);
        var ring = new PreRollRing(frames, (int)Math.Min(int.MaxValue / 2, Math.Max(64 * 1024, frames * perFrame)));
        _ring = ring;
        return ring;
    }

    /// <summary>On the capture thread, after everything else has read the frame.</summary>
    public void OnFrame(in VideoFrame frame, long now)
    {
        if (Width == 0 || _sampler?.Take(now) == false) return;
        try
        {
            var jpeg = _encoder.Encode(frame, Width, Height, Overlay);
            var ring = _ring ?? MakeRing(jpeg.Length);
            ring.Append(jpeg, now);
            Interlocked.Increment(ref _framesKept);
            Interlocked.Add(ref _bytesKept, jpeg.Length);
        }
        catch (VideoSourceException e)
        {
            // A frame OpenCV cannot encode is missing from the clip; capture and analysis go on.
            if (Interlocked.Increment(ref _encodeErrors) == 1) Volatile.Write(ref _lastError, e.Message);
        }
    }

    public void Dispose() => _encoder.Dispose();
}
