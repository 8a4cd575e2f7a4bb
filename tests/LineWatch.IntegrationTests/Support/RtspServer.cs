using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>GStreamer's RTSP server (Support/rtsp_server.py) on a loopback port; can be killed and started again on the same port.</summary>
internal sealed class RtspServer : IDisposable
{
    private readonly bool _udpOnly;
    private readonly string? _user;
    private Process? _process;

    /// <param name="udpOnly">Refuse RTP over the RTSP connection (TCP), offering only UDP.</param>
    /// <param name="user">"name:password": serve only a client that signs in with these (RTSP Basic authentication).</param>
    public RtspServer(bool udpOnly = false, string? user = null)
    {
        _udpOnly = udpOnly;
        _user = user;
        Port = MosquittoBroker.FreePort();
        Start();
    }

    public int Port { get; }
    public string Url => $"rtsp://127.0.0.1:{Port}/cam";

    /// <summary>The stream's URL with credentials in it, as a camera's is configured.</summary>
    public string UrlWith(string user) => $"rtsp://{user}@127.0.0.1:{Port}/cam";

    public void Start()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Support", "rtsp_server.py");
        var info = new ProcessStartInfo("/usr/bin/python3", $"{script} {Port}{(_udpOnly ? " --udp-only" : "")}") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (_user is not null) info.Environment["RTSP_USER"] = _user;
        _process = Process.Start(info)!;
        _process.BeginErrorReadLine();
        var line = _process.StandardOutput.ReadLine();
        if (line != "ready") throw new InvalidOperationException($"the RTSP server did not start (said '{line}')");
    }

    public void Kill()
    {
        if (_process is null) return;
        _process.Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();
}
