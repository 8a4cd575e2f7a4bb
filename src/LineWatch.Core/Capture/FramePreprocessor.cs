using OpenCvSharp;

namespace LineWatch.Capture;

/// <summary>
/// Turns a BGR frame into the model's input layout: resized, RGB, exposure-normalised, ImageNet-normalised,
/// planar CHW float32, written straight into a caller-owned buffer (a slot of the camera's frame window), so
/// nothing is allocated.
/// </summary>
public static unsafe class FramePreprocessor
{
    // ImageNet statistics, RGB order, on the 0..1 scale; VideoMamba was trained with these.
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>Changes whenever the model's input or the frame signals (<see cref="FrameSignalProbe"/>) for the same
    /// frame change, so that windows cached under an older preprocessing (<c>WindowCache</c>) are computed again rather
    /// than reused. 3: flow measured after matching the previous frame's light.</summary>
    public const int Version = 3;

    /// <summary>
    /// The mean grey level (0..1) every frame is scaled to before the backbone, like a camera's auto-exposure:
    /// the light of a hall drifts over the day far beyond what one learning session sees, and the backbone's
    /// tokens follow the light (docs/scoring.md measures it). Brightness itself stays watched, by the lighting
    /// channel, from the frame's own signals.
    /// </summary>
    public const float ExposureTarget = 0.45f;

    /// <summary>The largest gain applied: a nearly black frame (lights off) is not blown up into noise.</summary>
    public const float MaxGain = 4f;

    public static void Normalize(in VideoFrame frame, int outWidth, int outHeight, Span<float> destination)
    {
        var needed = 3 * outWidth * outHeight;
        if (destination.Length < needed)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {needed} are needed for 3x{outHeight}x{outWidth}", nameof(destination));
        }
        var resized = Resize(frame, outWidth, outHeight).Mat;
        var plane = outWidth * outHeight;
        var red = destination[..plane];
        var green = destination.Slice(plane, plane);
        var blue = destination.Slice(2 * plane, plane);
        var step = resized.Step();
        var pixels = resized.DataPointer;
        long sumB = 0, sumG = 0, sumR = 0;
        for (var y = 0; y < outHeight; y++)
        {
            var row = new ReadOnlySpan<byte>(pixels + y * step, 3 * outWidth);
            for (var x = 0; x < outWidth; x++)
            {
                sumB += row[3 * x];
                sumG += row[3 * x + 1];
                sumR += row[3 * x + 2];
            }
        }
        var grey = (0.114 * sumB + 0.587 * sumG + 0.299 * sumR) / (255.0 * plane);
        var gain = (float)Math.Min(MaxGain, ExposureTarget / Math.Max(grey, 1e-6));
        // (gain * v/255 - mean)/std = v * scale + offset, per channel; values above 1 after the gain are kept, not
        // clipped, so a brightened frame keeps its highlights' texture.
        float scaleR = gain / (255f * Std[0]), scaleG = gain / (255f * Std[1]), scaleB = gain / (255f * Std[2]);
        float offsetR = -Mean[0] / Std[0], offsetG = -Mean[1] / Std[1], offsetB = -Mean[2] / Std[2];
        for (var y = 0; y < outHeight; y++)
        {
            var row = new ReadOnlySpan<byte>(pixels + y * step, 3 * outWidth);
            var at = y * outWidth;
            for (var x = 0; x < outWidth; x++)
            {
                blue[at + x] = row[3 * x] * scaleB + offsetB;
                green[at + x] = row[3 * x + 1] * scaleG + offsetG;
                red[at + x] = row[3 * x + 2] * scaleR + offsetR;
            }
        }
    }

    /// <summary>A small BGR copy of the frame (packed rows) for snapshots, written into a caller-owned buffer.</summary>
    public static void Thumbnail(in VideoFrame frame, int width, int height, Span<byte> destination)
    {
        if (destination.Length < width * height * 3) throw new ArgumentException($"destination holds {destination.Length} bytes; {width * height * 3} are needed", nameof(destination));
        var resized = Resize(frame, width, height).Mat;
        var step = resized.Step();
        var pixels = resized.DataPointer;
        var rowBytes = 3 * width;
        for (var y = 0; y < height; y++)
        {
            new ReadOnlySpan<byte>(pixels + y * step, rowBytes).CopyTo(destination.Slice(y * rowBytes, rowBytes));
        }
    }

    /// <summary>The frame scaled into its source's reused Mat for this size.</summary>
    private static MatBuffer Resize(in VideoFrame frame, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is not an image size");
        var buffers = frame.Buffers;
        var target = buffers.Resized(width, height);
        try
        {
            target.ResizeFrom(buffers.Decoded, width, height);
        }
        catch (OpenCvSharpException e)
        {
            throw new VideoSourceException($"resizing a {frame.Width}x{frame.Height} frame to {width}x{height}: {e.Message}");
        }
        return target;
    }
}
