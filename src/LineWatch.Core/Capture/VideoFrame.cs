namespace LineWatch.Capture;

/// <summary>
/// A decoded BGR frame owned by its <see cref="VideoSource"/>: the pixels stay valid only until the next read
/// or until the source is disposed, which is what lets capture run without a copy or an allocation per frame.
/// </summary>
public readonly unsafe ref struct VideoFrame
{
    internal VideoFrame(byte* data, int width, int height, int stride, double positionMs)
    {
        Data = data;
        Width = width;
        Height = height;
        Stride = stride;
        PositionMs = positionMs;
    }

    internal byte* Data { get; }
    public int Width { get; }
    public int Height { get; }
    public int Stride { get; }
    public double PositionMs { get; }

    public ReadOnlySpan<byte> Pixels => new(Data, Stride * Height);
}
