namespace LineWatch.Processing;

/// <summary>The model's window: T frames of 3 x S x S, read from the model file.</summary>
public readonly record struct ClipShape(int Frames, int ImageSize)
{
    public int FrameFloats => 3 * ImageSize * ImageSize;
    public int PlaneFloats => ImageSize * ImageSize;
    public int ClipFloats => Frames * FrameFloats;
}
