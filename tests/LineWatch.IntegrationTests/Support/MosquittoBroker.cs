using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A real Mosquitto broker on a free loopback port, with its own config (optionally requiring a user and
/// password, TLS with a test CA, or persistence so a graceful stop keeps queued messages of persistent
/// sessions), started for a test and killed after it. Its mosquitto_sub / mosquitto_pub helpers connect
/// with whatever that config asks for.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";
    private readonly TempDirectory _dir = new();
    private Process _process = null!;
    private readonly System.Text.StringBuilder _log = new();

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>
    /// The user the helpers below (and <see cref="SubscriptionRecorder"/>) connect as when the broker requires a
    /// password, so a test can change the agent's user without locking out its independent witness.
    /// </summary>
    private const string Witness = "witness";
    private const string WitnessPassword = "witness-secret";

    private readonly bool _persistence;
    private readonly bool _logMessages;
    private readonly bool _requireClientCertificate;
    private readonly string[]? _acl;
    private readonly Dictionary<string, string> _users = [];
    private TestCertificates? _tls;

    /// <param name="requireClientCertificate">With <paramref name="tls"/>: only clients with a certificate signed by its CA may connect.</param>
    /// <param name="acl">Lines of a Mosquitto access list (e.g. <c>topic readwrite a/#</c>); what it does not grant is refused.</param>
    /// <param name="logMessages">Log every message received and sent (Mosquitto's debug log), for <see cref="SentTo"/>.</param>
    public MosquittoBroker(string? username = null, string? password = null, TestCertificates? tls = null, bool persistence = false,
        bool requireClientCertificate = false, string[]? acl = null, bool logMessages = false)
    {
        _logMessages = logMessages;
        Port = FreePort();
        _acl = acl;
        _persistence = persistence;
        _requireClientCertificate = requireClientCertificate;
        _tls = tls;
        if (username is not null) _users[username] = password!;
        WriteConfig();
        Start();
    }

    /// <summary>
    /// Gives <paramref name="username"/> a new password (or makes the broker require passwords) and has the running
    /// broker reload its password file (SIGHUP), as an administrator fixing an account would.
    /// </summary>
    public void SetPassword(string username, string password)
    {
        _users[username] = password;
        WriteConfig();
        if (!_process.HasExited) Process.Start("/bin/kill", $"-HUP {_process.Id}")!.WaitForExit();
    }

    private void WriteConfig()
    {
        // `user`: started as root, mosquitto would switch to its own user and could not read our private temp folder.
        // max_queued_messages: as the embedded broker, so floods in tests measure the agent and not Mosquitto's default queue of 1000.
        var config = new List<string> { $"listener {Port} 127.0.0.1", "log_dest stderr", $"user {Environment.UserName}", "max_queued_messages 100000" };
        config.Add(_persistence ? $"persistence true\npersistence_location {_dir.Path}/\nautosave_interval 1" : "persistence false");
        if (_tls is not null)
        {
            config.Add($"cafile {_tls.CaFile}");
            config.Add($"certfile {_tls.ServerCertFile}");
            config.Add($"keyfile {_tls.ServerKeyFile}");
            if (_requireClientCertificate) config.Add("require_certificate true");
        }
        if (_users.Count > 0)
        {
            var passwordFile = _dir.File("passwd");
            File.WriteAllText(passwordFile, "");
            foreach (var (user, password) in _users.Append(new(Witness, WitnessPassword)))
            {
                var (exitCode, output) = ShellCommand.Run("/usr/bin/mosquitto_passwd", "-b", passwordFile, user, password);
                if (exitCode != 0) throw new InvalidOperationException($"mosquitto_passwd failed: {output}");
            }
            config.Add("allow_anonymous false");
            config.Add($"password_file {passwordFile}");
        }
        else
        {
            config.Add("allow_anonymous true");
        }
        if (_acl is not null)
        {
            File.WriteAllLines(_dir.File("acl"), _acl);
            config.Add($"acl_file {_dir.File("acl")}");
        }
        if (_logMessages) config.Add("log_type all");
        File.WriteAllLines(_dir.File("mosquitto.conf"), config);
    }

    /// <summary>What mosquitto_sub / mosquitto_pub need to reach this broker: address, the witness's password, the test CA.</summary>
    public IEnumerable<string> ClientArguments()
    {
        string[] address = ["-h", "127.0.0.1", "-p", Port.ToString()];
        var credentials = _users.Count > 0 ? new[] { "-u", Witness, "-P", WitnessPassword } : [];
        var tls = _tls is null ? [] : _requireClientCertificate
            ? new[] { "--cafile", _tls.CaFile, "--cert", _tls.ClientCertFile, "--key", _tls.ClientKeyFile }
            : ["--cafile", _tls.CaFile];
        return [.. address, .. credentials, .. tls];
    }

    private ProcessStartInfo Client(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in ClientArguments().Concat(arguments)) info.ArgumentList.Add(argument);
        return info;
    }

    /// <summary>
    /// How many messages on topics that <paramref name="topicMatches"/> the broker has sent to the client
    /// <paramref name="clientId"/>, by its own log (needs <c>logMessages</c>): what that client was given, whatever
    /// another subscriber received.
    /// </summary>
    public int SentTo(string clientId, Func<string, bool> topicMatches)
    {
        if (!_logMessages) throw new InvalidOperationException("start the broker with logMessages: true");
        var prefix = $"Sending PUBLISH to {clientId} (";
        return Log.Split('\n').Count(line => line.IndexOf(prefix, StringComparison.Ordinal) is var at && at >= 0
                                              && line.Split('\'') is [_, var topic, ..] && topicMatches(topic));
    }

    /// <summary>
    /// How many QoS 1 messages on topics that <paramref name="topicMatches"/> the client <paramref name="clientId"/> has
    /// acknowledged, by the broker's log (needs <c>logMessages</c>): what that client certainly read. A message sent just
    /// before the client's connection ended may never have been read, so this is the lower bound to
    /// <see cref="SentTo"/>'s upper one.
    /// </summary>
    public int AcknowledgedBy(string clientId, Func<string, bool> topicMatches)
    {
        if (!_logMessages) throw new InvalidOperationException("start the broker with logMessages: true");
        var sending = $"Sending PUBLISH to {clientId} (";
        var acknowledging = $"Received PUBACK from {clientId} (Mid: ";
        var topicOfMid = new Dictionary<string, string>();
        var acknowledged = 0;
        foreach (var line in Log.Split('\n'))
        {
            if (line.IndexOf(sending, StringComparison.Ordinal) is var sent and >= 0 && line.Split('\'') is [var head, var topic, ..])
            {
                // "(d0, q1, r0, m17, 'topic', ..." — the message id is the fourth field.
                var mid = head[(sent + sending.Length)..].Split(',', StringSplitOptions.TrimEntries) is [_, _, _, ['m', .. var id], ..] ? id : null;
                if (mid is not null) topicOfMid[mid] = topic;
            }
            else if (line.IndexOf(acknowledging, StringComparison.Ordinal) is var acked and >= 0
                     && topicOfMid.Remove(line[(acked + acknowledging.Length)..].Split(',')[0], out var ackedTopic) && topicMatches(ackedTopic))
            {
                acknowledged++;
            }
        }
        return acknowledged;
    }

    /// <summary>Starts the broker (again) on the same port, with the same configuration.</summary>
    public void Start()
    {
        _process = Process.Start(new ProcessStartInfo(Binary, $"-c {_dir.File("mosquitto.conf")}") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitUntilListening();
    }

    /// <summary>Stops the broker the way an administrator would (SIGTERM: persistent sessions are saved), keeping its port.</summary>
    public void Stop()
    {
        if (_process.HasExited) return;
        Process.Start("/bin/kill", $"-TERM {_process.Id}")!.WaitForExit();
        if (!_process.WaitForExit(10_000)) Kill();
    }

    /// <summary>Freezes the broker (SIGSTOP): its connections stay open but nothing is read or answered, as with a hung broker.</summary>
    public void Freeze() => Process.Start("/bin/kill", $"-STOP {_process.Id}")!.WaitForExit();

    /// <summary>Lets a frozen broker run again (SIGCONT).</summary>
    public void Thaw() => Process.Start("/bin/kill", $"-CONT {_process.Id}")!.WaitForExit();

    /// <summary>Kills the broker (as a crash or an outage would), keeping its port for <see cref="Start"/>.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    /// <summary>Starts mosquitto_sub for <paramref name="count"/> messages on <paramref name="topic"/>; read its output when it exits.</summary>
    public Process Subscribe(string topic, int count, int timeoutSeconds)
    {
        var sub = Process.Start(Client("/usr/bin/mosquitto_sub", "-t", topic, "-q", "1", "-C", count.ToString(), "-W", timeoutSeconds.ToString()))!;
        Thread.Sleep(300); // let it subscribe before anything is published
        return sub;
    }

    /// <summary>The first message on <paramref name="topic"/> as mosquitto_sub sees it (retained included), or null.</summary>
    public string? ReadOne(string topic, int timeoutSeconds = 5)
    {
        using var sub = Process.Start(Client("/usr/bin/mosquitto_sub", "-t", topic, "-C", "1", "-W", timeoutSeconds.ToString()))!;
        var line = sub.StandardOutput.ReadLine();
        sub.WaitForExit();
        return line;
    }

    /// <summary>Publishes with mosquitto_pub: one message, or (<paramref name="linesFile"/>) each line of a file as its own message, or (<paramref name="payloadFile"/>) a whole file.</summary>
    public void Publish(string topic, string? message = null, bool retain = false, string? linesFile = null, string? payloadFile = null)
    {
        var info = Client("/usr/bin/mosquitto_pub", "-q", "1", "-t", topic);
        info.RedirectStandardInput = linesFile is not null;
        if (retain) info.ArgumentList.Add("-r");
        if (message is not null) { info.ArgumentList.Add("-m"); info.ArgumentList.Add(message); }
        if (payloadFile is not null) { info.ArgumentList.Add("-f"); info.ArgumentList.Add(payloadFile); }
        if (linesFile is not null) info.ArgumentList.Add("-l");
        using var process = Process.Start(info)!;
        if (linesFile is not null)
        {
            using (var stdin = process.StandardInput.BaseStream) stdin.Write(File.ReadAllBytes(linesFile));
        }
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"mosquitto_pub to {topic} failed: {error}");
    }

    public int Port { get; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"mosquitto did not listen on {Port}");
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _dir.Dispose();
    }
}
