using System.Globalization;
using OpenCvSharp;

namespace LineWatch.Capture;

/// <summary>
/// One opened camera or video, decoded by OpenCV's videoio (OpenCvSharp): a file path, a device index, or an rtsp://
/// or http:// URL (brought to OpenCV by a <see cref="NetworkStreamRelay"/>). Not thread-safe: a source belongs to the one capture thread that reads it.
/// </summary>
public sealed unsafe class VideoSource : IDisposable
{
    // cv::CAP_PROP_OPEN_TIMEOUT_MSEC and cv::CAP_PROP_READ_TIMEOUT_MSEC, which OpenCvSharp's property enum does not name.
    private const int OpenTimeoutProperty = 53, ReadTimeoutProperty = 54;

    private VideoCapture? _capture;
    private readonly NetworkStreamRelay? _relay;
    private readonly FrameBuffers _buffers = new();

    private VideoSource(string source, VideoCapture capture, NetworkStreamRelay? relay, VideoSourceInfo info)
    {
        Source = source;
        _capture = capture;
        _relay = relay;
        Info = info;
    }

    public string Source { get; }
    public VideoSourceInfo Info { get; }

    /// <param name="openTimeout">How long opening a stream may take; zero keeps the backend's default.</param>
    /// <param name="readTimeout">How long a stream may deliver nothing before a read fails; zero keeps the backend's default.</param>
    /// <exception cref="VideoSourceException">The source is missing, unreachable or not decodable.</exception>
    public static VideoSource Open(string source, TimeSpan openTimeout = default, TimeSpan readTimeout = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        OpenCvDefaults.Apply();
        var isDevice = IsDeviceIndex(source);
        var isUrl = source.Contains("://", StringComparison.Ordinal);
        if (!isDevice && !isUrl) CheckFile(source);

        List<int> parameters = [];
        if (openTimeout > TimeSpan.Zero) parameters.AddRange([OpenTimeoutProperty, (int)openTimeout.TotalMilliseconds]);
        if (readTimeout > TimeSpan.Zero) parameters.AddRange([ReadTimeoutProperty, (int)readTimeout.TotalMilliseconds]);
        var relay = isUrl ? NetworkStreamRelay.Start(source, readTimeout > TimeSpan.Zero ? readTimeout : openTimeout) : null;
        VideoCapture? capture = null;
        try
        {
            // Opening blocks until the stream's first frames arrive; a relay that has not delivered them in time is stopped.
            using (openTimeout > TimeSpan.Zero && relay is not null ? new Timer(_ => relay.Stop(), null, openTimeout, Timeout.InfiniteTimeSpan) : null)
            {
                capture = isDevice
                    ? new VideoCapture(int.Parse(source, CultureInfo.InvariantCulture), VideoCaptureAPIs.ANY, [.. parameters])
                    : new VideoCapture(relay?.PipeUrl ?? source, relay is null ? VideoCaptureAPIs.ANY : VideoCaptureAPIs.FFMPEG, [.. parameters]);
            }
            if (!capture.IsOpened())
            {
                if (relay is null) throw new VideoSourceException($"could not open video source: {source}");
                capture.Dispose();
                capture = null;
                relay.Dispose();
                throw new VideoSourceException($"could not open video source: {source} ({relay.Failure})");
            }
            var info = new VideoSourceInfo((int)capture.Get(VideoCaptureProperties.FrameWidth), (int)capture.Get(VideoCaptureProperties.FrameHeight),
                capture.Get(VideoCaptureProperties.Fps), capture.Get(VideoCaptureProperties.FrameCount), capture.GetBackendName());
            return new VideoSource(source, capture, relay, info);
        }
        catch (OpenCvSharpException e)
        {
            capture?.Dispose();
            relay?.Dispose();
            throw new VideoSourceException($"OpenCV failed to open {source}: {e.Message}");
        }
        catch (VideoSourceException)
        {
            capture?.Dispose();
            relay?.Dispose();
            throw;
        }
    }

    /// <summary>Decodes the next frame into the source's buffer. Returns false at the end of a file or when a stream delivers nothing.</summary>
    /// <exception cref="VideoSourceException">OpenCV failed while decoding.</exception>
    public bool TryRead(out VideoFrame frame)
    {
        if (_capture is not { } capture) throw new ObjectDisposedException(nameof(VideoSource));
        frame = default;
        var decoded = _buffers.Decoded;
        var image = decoded.Mat;
        try
        {
            if (!capture.Read(image) || image.Empty()) return false;
            if (image.Type() != MatType.CV_8UC3)
            {
                // Grey or 4-channel sources are rare; convert in place so callers always see BGR.
                decoded.Convert(image.Channels() == 1 ? ColorConversionCodes.GRAY2BGR : ColorConversionCodes.BGRA2BGR);
            }
            frame = new VideoFrame(_buffers, image.DataPointer, image.Cols, image.Rows, (int)image.Step(), capture.Get(VideoCaptureProperties.PosMsec));
            return true;
        }
        catch (OpenCvSharpException e)
        {
            throw new VideoSourceException($"reading a frame from {Source}: {e.Message}");
        }
    }

    public void Dispose()
    {
        var capture = Interlocked.Exchange(ref _capture, null);
        if (capture is null) return;
        _relay?.Stop();
        try
        {
            capture.Release();
        }
        catch (OpenCvSharpException)
        {
            // Releasing a broken stream can throw; the capture is freed regardless.
        }
        capture.Dispose();
        _relay?.Dispose(); // after the capture: OpenCV reads the relay's pipe until released
        _buffers.Dispose();
    }

    private static bool IsDeviceIndex(string source) => source.All(char.IsAsciiDigit);

    /// <summary>A missing file otherwise reaches FFmpeg and comes back as an anonymous "could not open".</summary>
    private static void CheckFile(string path)
    {
        // OpenCV would take a GStreamer pipeline description for a file name; this build has no GStreamer backend.
        if (path.Contains(" ! ", StringComparison.Ordinal))
        {
            throw new VideoSourceException($"GStreamer pipelines are not supported (this OpenCV build has no GStreamer backend; use an rtsp:// or http:// URL, a file or a device): {path}");
        }
        if (Directory.Exists(path)) throw new VideoSourceException($"not a video file or device: {path}");
        if (!File.Exists(path)) throw new VideoSourceException($"video file not found: {path}");
    }
}
