using OpenCvSharp;

namespace LineWatch.Capture;

/// <summary>JPEG snapshots of frames (alerts, dashboard tiles). Runs off the analysis hot path, so it may allocate.</summary>
public static unsafe class JpegEncoder
{
    /// <summary>Encodes into <paramref name="destination"/> and returns the byte count, or -1 with
    /// <paramref name="required"/> set when the buffer is too small.</summary>
    public static int Encode(in VideoFrame frame, int quality, Span<byte> destination, out int required)
    {
        var jpeg = Encode(frame, quality);
        required = jpeg.Length;
        if (jpeg.Length > destination.Length) return -1;
        jpeg.CopyTo(destination);
        return jpeg.Length;
    }

    public static byte[] Encode(in VideoFrame frame, int quality = 85) => Encode(frame.Buffers.Decoded.Mat, quality);

    /// <summary>Encodes a packed or strided BGR image (thumbnails, snapshots with overlays).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> bgr, int width, int height, int stride, int quality = 85)
    {
        if (width <= 0 || height <= 0 || stride < width * 3) throw new ArgumentException($"{width}x{height} with rows of {stride} bytes is not a BGR image");
        if (bgr.Length < (long)stride * (height - 1) + width * 3) throw new ArgumentException($"{bgr.Length} bytes do not hold {height} rows of {stride}");
        fixed (byte* pixels = bgr)
        {
            // A header over the caller's pixels: nothing is copied before the encoder reads them.
            using var image = Mat.FromPixelData(height, width, MatType.CV_8UC3, (nint)pixels, stride);
            return Encode(image, quality);
        }
    }

    private static byte[] Encode(Mat image, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        try
        {
            if (!Cv2.ImEncode(".jpg", image, out var jpeg, [(int)ImwriteFlags.JpegQuality, quality]))
            {
                throw new VideoSourceException($"the JPEG encoder refused a {image.Cols}x{image.Rows} image");
            }
            return jpeg;
        }
        catch (OpenCvSharpException e)
        {
            throw new VideoSourceException($"JPEG encoding a {image.Cols}x{image.Rows} image: {e.Message}");
        }
    }
}
