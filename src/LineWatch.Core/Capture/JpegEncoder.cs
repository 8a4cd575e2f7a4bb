using LineWatch.Interop;

namespace LineWatch.Capture;

/// <summary>JPEG snapshots of frames (alerts, dashboard tiles). Runs off the analysis hot path.</summary>
public static unsafe class JpegEncoder
{
    /// <summary>Encodes into <paramref name="destination"/> and returns the byte count, or -1 with
    /// <paramref name="required"/> set when the buffer is too small.</summary>
    public static int Encode(in VideoFrame frame, int quality, Span<byte> destination, out int required)
    {
        int status, written;
        fixed (byte* dst = destination)
        {
            status = OpenCvNative.JpegEncode(frame.Data, frame.Width, frame.Height, frame.Stride, quality, dst, destination.Length, out written);
        }
        required = written;
        if (status == OpenCvNative.Ok) return written;
        if (status == OpenCvNative.ErrorBuffer) return -1;
        throw new VideoSourceException(OpenCvNative.LastErrorMessage());
    }

    public static byte[] Encode(in VideoFrame frame, int quality = 85) =>
        Encode(new ReadOnlySpan<byte>(frame.Data, frame.Stride * frame.Height), frame.Width, frame.Height, frame.Stride, quality);

    /// <summary>Encodes a packed or strided BGR image (thumbnails, snapshots with overlays).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> bgr, int width, int height, int stride, int quality = 85)
    {
        if (bgr.Length < stride * height) throw new ArgumentException($"{bgr.Length} bytes do not hold {height} rows of {stride}");
        var buffer = new byte[Math.Max(64 * 1024, width * height / 2)];
        int status, written;
        fixed (byte* src = bgr)
        fixed (byte* dst = buffer)
        {
            status = OpenCvNative.JpegEncode(src, width, height, stride, quality, dst, buffer.Length, out written);
        }
        if (status == OpenCvNative.ErrorBuffer)
        {
            buffer = new byte[written];
            fixed (byte* src = bgr)
            fixed (byte* dst = buffer)
            {
                status = OpenCvNative.JpegEncode(src, width, height, stride, quality, dst, buffer.Length, out written);
            }
        }
        if (status != OpenCvNative.Ok) throw new VideoSourceException(OpenCvNative.LastErrorMessage());
        return buffer.AsSpan(0, written).ToArray();
    }
}
