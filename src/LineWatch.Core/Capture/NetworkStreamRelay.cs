using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;

namespace LineWatch.Capture;

/// <summary>
/// Brings a network stream (rtsp://, http://) to OpenCV. The FFmpeg inside OpenCvSharp's OpenCV is built without
/// network protocols, so Debian's ffmpeg connects to the camera and copies its video stream unchanged (no
/// decoding: about 1% of a core for 720p25 H.264) as live Matroska into a pipe, and OpenCV decodes from that pipe
/// ("pipe:FD"). The ffmpeg process applies the timeouts and the RTSP transport; when the camera goes away it
/// exits, OpenCV reads the end of the stream, and the camera reconnects as it does for any lost stream.
/// </summary>
internal sealed class NetworkStreamRelay : IDisposable
{
    private const string Ffmpeg = "ffmpeg";
    private readonly Process _process;
    private readonly PipeStream _output;
    private readonly Lock _lock = new();
    private string _lastError = "";
    private int _disposed;
    private volatile bool _stopped;

    private NetworkStreamRelay(Process process)
    {
        _process = process;
        // Process gives the parent's end of the child's stdout as a pipe stream; OpenCV reads its descriptor itself.
        _output = (PipeStream)process.StandardOutput.BaseStream;
        process.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data)) return;
            lock (_lock) _lastError = e.Data.Trim();
        };
        process.BeginErrorReadLine();
    }

    /// <summary>What OpenCV opens: FFmpeg's pipe protocol on our end of ffmpeg's stdout. FFmpeg never closes that
    /// descriptor; the relay does, once the capture is released.</summary>
    public string PipeUrl => "pipe:" + _output.SafePipeHandle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture);

    /// <summary>Why the stream could not be opened: ffmpeg's last error line (e.g. "Connection refused"), or that it was
    /// stopped for taking too long. Complete once the relay is disposed.</summary>
    public string Failure
    {
        get
        {
            lock (_lock)
            {
                if (_lastError.Length > 0) return _lastError;
            }
            return _stopped ? "no stream within the open timeout" : "the stream ended before OpenCV could read it";
        }
    }

    /// <exception cref="VideoSourceException">ffmpeg could not be started.</exception>
    public static NetworkStreamRelay Start(string url, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false };
        foreach (var argument in Arguments(url, timeout, Environment.GetEnvironmentVariable("OPENCV_FFMPEG_CAPTURE_OPTIONS"))) info.ArgumentList.Add(argument);
        try
        {
            return new NetworkStreamRelay(Process.Start(info) ?? throw new VideoSourceException($"ffmpeg could not be started for {url}"));
        }
        catch (Win32Exception e)
        {
            throw new VideoSourceException($"network cameras need ffmpeg (Debian package ffmpeg; install/setup.sh installs it), which could not be started for {url}: {e.Message}");
        }
    }

    /// <param name="userOptions">OpenCV's OPENCV_FFMPEG_CAPTURE_OPTIONS ("key;value|key;value"), which keeps its meaning here.</param>
    internal static IReadOnlyList<string> Arguments(string url, TimeSpan timeout, string? userOptions)
    {
        List<string> arguments = ["-hide_banner", "-nostdin", "-loglevel", "error"];
        if (!string.IsNullOrWhiteSpace(userOptions))
        {
            foreach (var pair in userOptions.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split(';', 2, StringSplitOptions.TrimEntries);
                arguments.Add("-" + parts[0]);
                arguments.Add(parts.Length > 1 ? parts[1] : "1");
            }
        }
        else if (url.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
        {
            // RTSP over TCP: UDP loses packets on busy factory networks and smears frames.
            arguments.AddRange(["-rtsp_transport", "tcp"]);
        }
        if (timeout > TimeSpan.Zero)
        {
            // Socket timeout of the RTSP and HTTP clients, in microseconds: connecting, and any read that waits this long.
            arguments.AddRange(["-timeout", ((long)(timeout.TotalMilliseconds * 1000)).ToString(CultureInfo.InvariantCulture)]);
        }
        arguments.AddRange(["-fflags", "nobuffer", "-i", url, "-map", "0:v:0", "-c", "copy",
            // Live Matroska: codec parameters up front, and every frame written to the pipe as soon as it arrives.
            "-f", "matroska", "-live", "1", "-cluster_time_limit", "0", "-flush_packets", "1", "pipe:1"]);
        return arguments;
    }

    /// <summary>Ends the ffmpeg process (a read blocked on the pipe then sees the end of the stream) and closes the pipe.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            if (!_process.HasExited) _process.Kill();
            // The second wait also drains ffmpeg's stderr, so Failure holds its last line.
            if (_process.WaitForExit(5000)) _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
        _output.Dispose();
        _process.Dispose();
    }

    /// <summary>Ends the ffmpeg process without closing the pipe: used when opening takes too long.</summary>
    public void Stop()
    {
        _stopped = true;
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }
}
