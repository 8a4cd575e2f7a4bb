namespace LineWatch.Processing;

/// <summary>The model's window: T frames of 3 x S x S, read from the model file.</summary>
public readonly record struct ClipShape(int Frames, int ImageSize)
{
    public int FrameFloats => 3 * ImageSize * ImageSize;
    public int PlaneFloats => ImageSize * ImageSize;
    public int ClipFloats => Frames * FrameFloats;

    /// <summary>The backbone's patch size: the picture is G x G patches, and the scorer's regions are the same.</summary>
    public const int PatchSize = 16;
    public int Grid => ImageSize / PatchSize;

    /// <summary>Per frame, the <see cref="Capture.FrameSignals"/> (flow per region, light) the scorer uses besides the backbone's features.</summary>
    public int SignalFloats => Capture.FrameSignals.Length(Grid);

    /// <summary>Room for one snapshot thumbnail (BGR, at most 320 x 240).</summary>
    public const int ThumbnailMaxWidth = 320, ThumbnailMaxHeight = 240;
    public const int ThumbnailBytes = ThumbnailMaxWidth * ThumbnailMaxHeight * 3;

    /// <summary>A thumbnail size with the camera's aspect ratio that fits 320 x 240 (even sides, for JPEG).</summary>
    public static (int Width, int Height) ThumbnailSize(int width, int height) => Fit(width, height, ThumbnailMaxWidth, ThumbnailMaxHeight);

    /// <summary>The largest size with the camera's aspect ratio within the box, never larger than the frame (even sides, for JPEG).</summary>
    public static (int Width, int Height) Fit(int width, int height, int maxWidth, int maxHeight)
    {
        if (width <= 0 || height <= 0) return (maxWidth, maxHeight);
        var scale = Math.Min((double)maxWidth / width, (double)maxHeight / height);
        return (Math.Max(2, (int)(width * scale) / 2 * 2), Math.Max(2, (int)(height * scale) / 2 * 2));
    }
}
