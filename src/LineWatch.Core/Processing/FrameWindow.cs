namespace LineWatch.Processing;

/// <summary>
/// The rolling window of one camera: a ring of T preprocessed frames. Every <c>stride</c> frames (once T are
/// there) a clip is due; it is copied out oldest-first in the model's (3, T, S, S) layout. Frames are written
/// straight into their ring slot, so nothing is allocated per frame.
/// </summary>
public sealed class FrameWindow
{
    private readonly ClipShape _shape;
    private readonly int _stride;
    private readonly float[][] _slots;
    private readonly long[] _ticks;
    private readonly float[][] _signals;
    private byte[][]? _thumbnails;
    private int _thumbnailWidth, _thumbnailHeight;
    private int _next;
    private long _pushed;

    public FrameWindow(ClipShape shape, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        _shape = shape;
        _stride = stride;
        _slots = new float[shape.Frames][];
        for (var i = 0; i < shape.Frames; i++) _slots[i] = new float[shape.FrameFloats];
        _ticks = new long[shape.Frames];
        _signals = new float[shape.Frames][];
        for (var i = 0; i < shape.Frames; i++) _signals[i] = new float[shape.SignalFloats];
    }

    /// <summary>Frames committed since the window was created or reset.</summary>
    public long Frames => _pushed;

    /// <summary>The slot the next frame is written into (3, S, S), before <see cref="Commit"/>.</summary>
    public Span<float> NextSlot => _slots[_next];

    /// <summary>The next frame's <see cref="Capture.FrameSignals"/>, written with <see cref="NextSlot"/>.</summary>
    public Span<float> NextSignals => _signals[_next];

    /// <summary>Keeps a thumbnail of each frame too (live cameras, for alert snapshots); the buffers are made once.</summary>
    public void KeepThumbnails(int width, int height)
    {
        _thumbnails ??= Enumerable.Range(0, _shape.Frames).Select(_ => new byte[ClipShape.ThumbnailBytes]).ToArray();
        (_thumbnailWidth, _thumbnailHeight) = (width, height);
    }

    /// <summary>The thumbnail slot of the next frame, when thumbnails are kept.</summary>
    public Span<byte> NextThumbnail => _thumbnails is null ? Span<byte>.Empty : _thumbnails[_next].AsSpan(0, _thumbnailWidth * _thumbnailHeight * 3);
    public int ThumbnailWidth => _thumbnailWidth;
    public int ThumbnailHeight => _thumbnailHeight;

    /// <summary>Takes the frame written into <see cref="NextSlot"/>; returns true when a clip is due.</summary>
    public bool Commit(long captureTicks)
    {
        _ticks[_next] = captureTicks;
        _next = (_next + 1) % _shape.Frames;
        _pushed++;
        return _pushed >= _shape.Frames && (_pushed - _shape.Frames) % _stride == 0;
    }

    /// <summary>Copies the last T frames, oldest first, into <paramref name="clip"/> as (3, T, S, S).</summary>
    public void CopyTo(Clip clip)
    {
        int frames = _shape.Frames, plane = _shape.PlaneFloats;
        clip.ThumbnailWidth = _thumbnails is null ? 0 : _thumbnailWidth;
        clip.ThumbnailHeight = _thumbnails is null ? 0 : _thumbnailHeight;
        for (var t = 0; t < frames; t++)
        {
            var slot = (_next + t) % frames; // _next is the oldest once the ring is full
            clip.FrameTicks[t] = _ticks[slot];
            _signals[slot].CopyTo(clip.Signals.AsSpan(t * _shape.SignalFloats));
            _thumbnails?[slot].AsSpan(0, _thumbnailWidth * _thumbnailHeight * 3).CopyTo(clip.Thumbnails.AsSpan(t * ClipShape.ThumbnailBytes));
            for (var c = 0; c < 3; c++)
            {
                _slots[slot].AsSpan(c * plane, plane).CopyTo(clip.Data.AsSpan((c * frames + t) * plane, plane));
            }
        }
    }

    /// <summary>After a reconnect the old frames are no longer continuous with the new ones.</summary>
    public void Reset()
    {
        _next = 0;
        _pushed = 0;
    }
}
