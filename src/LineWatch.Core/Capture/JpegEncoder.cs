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

    public static byte[] Encode(in VideoFrame frame, int quality = 85)
    {
        var buffer = new byte[Math.Max(64 * 1024, frame.Width * frame.Height / 2)];
        var written = Encode(frame, quality, buffer, out var required);
        if (written < 0)
        {
            buffer = new byte[required];
            written = Encode(frame, quality, buffer, out _);
        }
        return buffer.AsSpan(0, written).ToArray();
    }
}
