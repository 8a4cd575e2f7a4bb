namespace LineWatch.Capture;

/// <summary>
/// The Mats a <see cref="VideoSource"/> and its frames work in: the decoded picture, and the images frames are
/// resized into (the model's input, the window's thumbnails, the dashboard picture: a few sizes, each kept in its
/// own Mat so that alternating between them never reallocates). Used only by the source's capture thread.
/// </summary>
internal sealed class FrameBuffers : IDisposable
{
    // Three sizes are in use per camera; a fourth caller (a test, a benchmark) takes over the oldest slot.
    private const int ResizeSlots = 4;
    private readonly MatBuffer[] _resized = new MatBuffer[ResizeSlots];
    private readonly (int Width, int Height)[] _sizes = new (int, int)[ResizeSlots];
    private int _used, _nextReplaced;

    public MatBuffer Decoded { get; } = new();

    /// <summary>The Mat that holds resized pictures of this size.</summary>
    public MatBuffer Resized(int width, int height)
    {
        for (var i = 0; i < _used; i++)
        {
            if (_sizes[i] == (width, height)) return _resized[i];
        }
        int slot;
        if (_used < ResizeSlots)
        {
            slot = _used++;
            _resized[slot] = new MatBuffer();
        }
        else
        {
            slot = _nextReplaced;
            _nextReplaced = (_nextReplaced + 1) % ResizeSlots;
        }
        _sizes[slot] = (width, height);
        return _resized[slot];
    }

    public void Dispose()
    {
        for (var i = 0; i < _used; i++) _resized[i].Dispose();
        _used = 0;
        Decoded.Dispose();
    }
}
