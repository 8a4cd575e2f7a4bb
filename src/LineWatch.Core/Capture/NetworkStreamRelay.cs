using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Text;

namespace LineWatch.Capture;

/// <summary>
/// Brings a network stream (rtsp://, http://) to OpenCV. The FFmpeg inside OpenCvSharp's OpenCV is built without
/// network protocols, so Debian's ffmpeg connects to the camera and copies its video stream unchanged (no
/// decoding: about 1% of a core for 720p25 H.264) as live Matroska into a pipe, and OpenCV decodes from that pipe
/// ("pipe:FD"). The ffmpeg process applies the timeouts and the RTSP transport; when the camera goes away it
/// exits, OpenCV reads the end of the stream, and the camera reconnects as it does for any lost stream.
/// The camera's URL, which may hold its password, is not an argument (every local user can read a process's
/// arguments in /proc/PID/cmdline): ffmpeg reads it from its stdin, as a one-entry list for its concat demuxer,
/// with the options for opening it.
/// </summary>
internal sealed class NetworkStreamRelay : IDisposable
{
    private const string Ffmpeg = "ffmpeg";
    private const string ListInput = "pipe:0";
    // What the camera's URL may use (concat refuses any protocol not listed, and the list itself comes through a pipe).
    private const string Protocols = "pipe,rtsp,rtsps,rtp,srtp,tcp,udp,tls,http,https,httpproxy,crypto";
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
            // ffmpeg names the failing input: the list on stdin, which says nothing to an operator.
            var line = e.Data.Trim();
            if (line.StartsWith(ListInput + ": ", StringComparison.Ordinal)) line = line[(ListInput.Length + 2)..];
            lock (_lock) _lastError = line;
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

    /// <exception cref="VideoSourceException">ffmpeg could not be started, or the URL cannot be passed to it.</exception>
    public static NetworkStreamRelay Start(string url, TimeSpan timeout)
    {
        var list = InputList(url, timeout, Environment.GetEnvironmentVariable("OPENCV_FFMPEG_CAPTURE_OPTIONS"));
        var info = new ProcessStartInfo(Ffmpeg)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in Arguments()) info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new VideoSourceException($"ffmpeg could not be started for {url}");
        }
        catch (Win32Exception e)
        {
            throw new VideoSourceException($"network cameras need ffmpeg (Debian package ffmpeg; install/setup.sh installs it), which could not be started for {url}: {e.Message}");
        }
        var relay = new NetworkStreamRelay(process);
        try
        {
            // A few hundred bytes: the pipe takes them at once, and ffmpeg reads to the end before it opens the camera.
            process.StandardInput.Write(list);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // ffmpeg ended before reading its input; its stderr (Failure) says why.
        }
        return relay;
    }

    /// <summary>ffmpeg's arguments: the input list on stdin, the video copied as live Matroska to stdout. No URL, no secret.</summary>
    internal static IReadOnlyList<string> Arguments() =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "concat", "-safe", "0", "-protocol_whitelist", Protocols, "-i", ListInput,
        "-map", "0:v:0", "-c", "copy",
        // Live Matroska: codec parameters up front, and every frame written to the pipe as soon as it arrives.
        "-f", "matroska", "-live", "1", "-cluster_time_limit", "0", "-flush_packets", "1", "pipe:1",
    ];

    /// <summary>
    /// The concat demuxer's list: the camera's URL and the options ffmpeg opens it with (what were input options
    /// on the command line).
    /// </summary>
    /// <param name="userOptions">OpenCV's OPENCV_FFMPEG_CAPTURE_OPTIONS ("key;value|key;value"), which keeps its meaning here.</param>
    /// <exception cref="VideoSourceException">The URL or an option value holds a control character (it would end a line of the
    /// list), or an option name is not one.</exception>
    internal static string InputList(string url, TimeSpan timeout, string? userOptions)
    {
        var options = new List<(string Key, string Value)>();
        if (!string.IsNullOrWhiteSpace(userOptions))
        {
            foreach (var pair in userOptions.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = pair.Split(';', 2, StringSplitOptions.TrimEntries);
                options.Add((parts[0], parts.Length > 1 ? parts[1] : "1"));
            }
        }
        else if (url.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
        {
            // RTSP over TCP: UDP loses packets on busy factory networks and smears frames.
            options.Add(("rtsp_transport", "tcp"));
        }
        if (timeout > TimeSpan.Zero)
        {
            // Socket timeout of the RTSP and HTTP clients, in microseconds: connecting, and any read that waits this long.
            options.Add(("timeout", ((long)(timeout.TotalMilliseconds * 1000)).ToString(CultureInfo.InvariantCulture)));
        }
        options.Add(("fflags", "nobuffer"));
        var list = new StringBuilder("ffconcat version 1.0\n");
        list.Append("file ").Append(Quote(url, "the camera URL")).Append('\n');
        foreach (var (key, value) in options)
        {
            // The key is a bare word to ffconcat (quotes would become part of it); only the value may be quoted.
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new VideoSourceException($"capture option '{key}' is not an ffmpeg option name (letters, digits, _)");
            }
            list.Append("option ").Append(key).Append(' ').Append(Quote(value, $"capture option {key}")).Append('\n');
        }
        return list.ToString();
    }

    // ffconcat's quoting: inside '…' everything is literal, and a quote is closed, escaped and reopened.
    private static string Quote(string value, string what) =>
        value.Any(char.IsControl)
            ? throw new VideoSourceException($"{what} holds a control character: {value}")
            : "'" + value.Replace("'", "'\\''") + "'";

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
