using System.Diagnostics;
using LineWatch.Capture;

namespace LineWatch.Processing;

/// <summary>
/// A camera's latest picture for people to look at (the dashboard): a copy of the newest frame, scaled to fit
/// 640 x 480, refreshed a few times a second by the capture thread into one buffer allocated up front, and
/// encoded to JPEG only when someone asks, once per new picture however many viewers there are.
/// </summary>
public sealed class LiveFrame
{
    public const int MaxWidth = 640, MaxHeight = 480;
    private static readonly long Interval = Stopwatch.Frequency / 4;

    private readonly byte[] _bgr = new byte[MaxWidth * MaxHeight * 3];
    private readonly Lock _lock = new();
    private int _width, _height;
    private long _ticks = long.MinValue / 2, _sequence;
    private (long Sequence, byte[] Jpeg)? _encoded;

    /// <summary>Counts pictures taken; 0 until the camera delivered one.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>On the capture thread: whether the picture is old enough to be replaced.</summary>
    public bool Due(long now) => now - Interlocked.Read(ref _ticks) >= Interval;

    public void Update(in VideoFrame frame, long now)
    {
        var (width, height) = ClipShape.Fit(frame.Width, frame.Height, MaxWidth, MaxHeight);
        lock (_lock)
        {
            FramePreprocessor.Thumbnail(frame, width, height, _bgr);
            (_width, _height) = (width, height);
            Interlocked.Exchange(ref _ticks, now);
            Interlocked.Increment(ref _sequence);
        }
    }

    /// <summary>The current picture as JPEG, or null before the first.</summary>
    public byte[]? Jpeg()
    {
        lock (_lock)
        {
            if (_sequence == 0) return null;
            if (_encoded is { } cached && cached.Sequence == _sequence) return cached.Jpeg;
            var jpeg = JpegEncoder.Encode(_bgr.AsSpan(0, _width * _height * 3), _width, _height, _width * 3, quality: 80);
            _encoded = (_sequence, jpeg);
            return jpeg;
        }
    }
}
