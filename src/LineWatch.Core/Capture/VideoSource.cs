using System.Runtime.InteropServices;
using System.Text;
using LineWatch.Interop;

namespace LineWatch.Capture;

/// <summary>
/// One opened camera or video through OpenCV's videoio: a file path, an rtsp:// or http:// URL, or a device index.
/// Not thread-safe: a source belongs to the one capture thread that reads it.
/// </summary>
public sealed unsafe class VideoSource : IDisposable
{
    private nint _handle;

    private VideoSource(string source, nint handle, VideoSourceInfo info)
    {
        Source = source;
        _handle = handle;
        Info = info;
    }

    public string Source { get; }
    public VideoSourceInfo Info { get; }

    /// <exception cref="VideoSourceException">The source is missing, unreachable or not decodable.</exception>
    public static VideoSource Open(string source, TimeSpan openTimeout = default, TimeSpan readTimeout = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        var status = OpenCvNative.CaptureOpen(source, (int)openTimeout.TotalMilliseconds, (int)readTimeout.TotalMilliseconds, out var handle);
        if (status != OpenCvNative.Ok) throw new VideoSourceException(OpenCvNative.LastErrorMessage());

        status = OpenCvNative.CaptureInfoGet(handle, out var raw);
        if (status != OpenCvNative.Ok)
        {
            var message = OpenCvNative.LastErrorMessage();
            OpenCvNative.CaptureRelease(handle);
            throw new VideoSourceException(message);
        }
        var backend = Marshal.PtrToStringUTF8((nint)raw.Backend) ?? "";
        return new VideoSource(source, handle, new VideoSourceInfo(raw.Width, raw.Height, raw.Fps, raw.FrameCount, backend));
    }

    /// <summary>Decodes the next frame. Returns false at the end of a file or when a stream delivers nothing.</summary>
    /// <exception cref="VideoSourceException">OpenCV failed while decoding.</exception>
    public bool TryRead(out VideoFrame frame)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        var status = OpenCvNative.CaptureRead(_handle, out var raw);
        if (status == OpenCvNative.Ok)
        {
            frame = new VideoFrame(raw.Data, raw.Width, raw.Height, raw.Stride, raw.PositionMs);
            return true;
        }
        frame = default;
        if (status == OpenCvNative.EndOfStream) return false;
        throw new VideoSourceException(OpenCvNative.LastErrorMessage());
    }

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) OpenCvNative.CaptureRelease(handle);
    }
}
