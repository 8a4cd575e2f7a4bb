using OpenCvSharp;

namespace LineWatch.Capture;

/// <summary>
/// Turns a BGR frame into the model's input layout: resized, RGB, ImageNet-normalised, planar CHW float32,
/// written straight into a caller-owned buffer (a slot of the camera's frame window), so nothing is allocated.
/// </summary>
public static unsafe class FramePreprocessor
{
    // ImageNet statistics, RGB order, on the 0..1 scale; VideoMamba was trained with these.
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    // (v/255 - mean)/std for every 8-bit value v, one table of 256 per RGB channel: a lookup per sample instead of arithmetic.
    private static readonly float[] Normalised = BuildTable();

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
        ReadOnlySpan<float> r = Normalised.AsSpan(0, 256), g = Normalised.AsSpan(256, 256), b = Normalised.AsSpan(512, 256);
        var step = resized.Step();
        var pixels = resized.DataPointer;
        for (var y = 0; y < outHeight; y++)
        {
            var row = new ReadOnlySpan<byte>(pixels + y * step, 3 * outWidth);
            var at = y * outWidth;
            for (var x = 0; x < outWidth; x++)
            {
                blue[at + x] = b[row[3 * x]];
                green[at + x] = g[row[3 * x + 1]];
                red[at + x] = r[row[3 * x + 2]];
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

    private static float[] BuildTable()
    {
        var table = new float[3 * 256];
        for (var c = 0; c < 3; c++)
        {
            for (var v = 0; v < 256; v++) table[c * 256 + v] = (v / 255f - Mean[c]) / Std[c];
        }
        return table;
    }
}
