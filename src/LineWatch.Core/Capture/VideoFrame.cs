namespace LineWatch.Capture;

/// <summary>
/// A decoded BGR frame: a view of its <see cref="VideoSource"/>'s decode buffer, valid only until the next read or
/// until the source is disposed. That is what lets capture run without a copy or an allocation per frame.
/// </summary>
public readonly unsafe ref struct VideoFrame
{
    internal VideoFrame(FrameBuffers buffers, byte* data, int width, int height, int stride, double positionMs)
    {
        _buffers = buffers;
        Data = data;
        Width = width;
        Height = height;
        Stride = stride;
        PositionMs = positionMs;
    }

    private readonly FrameBuffers? _buffers;

    internal byte* Data { get; }
    public int Width { get; }
    public int Height { get; }
    public int Stride { get; }
    public double PositionMs { get; }

    public ReadOnlySpan<byte> Pixels => new(Data, Stride * Height);

    /// <summary>The source's Mats: the decoded picture this frame shows, and the ones it is resized into.</summary>
    internal FrameBuffers Buffers => _buffers ?? throw new ArgumentException("the frame is empty: it did not come from VideoSource.TryRead");
}
