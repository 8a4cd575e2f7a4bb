using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Interop;
using Microsoft.Extensions.Logging;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// With <c>Mqtt:Mode = embedded</c>, the agent runs its own Mosquitto on 127.0.0.1:<c>Mqtt:Port</c> from a
/// configuration it writes under DataDir/mosquitto, and starts it again if it exits. Its database is kept there too
/// (saved every few seconds and on a clean stop), so retained messages and the QoS 1 messages queued for persistent
/// sessions of subscribers that are away survive a restart of the broker or of the agent. With <c>Mqtt:Uplink</c> it
/// also bridges the agent's topics to a central broker (<see cref="UplinkBridge"/>); the configuration then holds the
/// uplink's password, so it is written readable by the agent's user alone.
/// </summary>
public sealed class EmbeddedBroker : IDisposable
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(2);

    /// <summary>How long Mosquitto may take to save its database and exit on SIGTERM before it is killed.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly MqttOptions _options;
    private readonly string _agentId;
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly UplinkFailureLog _uplinkFailures = new(TimeProvider.System);
    private Process? _process;
    private Task? _supervisor;
    private bool _disposed;

    public EmbeddedBroker(MqttOptions options, string agentId, string dataDir, ILogger<EmbeddedBroker> logger)
    {
        _options = options;
        _agentId = agentId;
        _directory = Path.Combine(dataDir, "mosquitto");
        _logger = logger;
    }

    /// <summary>Times the broker was started again after it exited on its own.</summary>
    public int Restarts { get; private set; }

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public void Start()
    {
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "mosquitto.conf");
        WritePrivately(config,
        [
            "# Written by LineWatch at every start (Mqtt:Mode = embedded); edit the agent's configuration instead.",
            $"listener {_options.Port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            $"persistence_location {_directory}/",
            // Mosquitto saves its database on a clean exit; the autosave bounds what a crash (or a kill) can lose.
            "autosave_interval 5",
            // Mosquitto's default queues at most 1000 QoS 1 messages per subscriber and silently drops the rest;
            // a slow or briefly disconnected integrator must not lose alert events that way.
            "max_queued_messages 100000",
            // Without it Mosquitto's small replies (PUBACKs) wait for Nagle's algorithm against MQTTnet's delayed TCP
            // acknowledgements: bench mqtt drained a burst at ~40 events/s instead of ~1,000.
            "set_tcp_nodelay true",
            "log_dest stderr",
            $"user {Environment.UserName}",
            .. _options.Uplink.Enabled ? UplinkBridge.ConfigLines(_options.Uplink, _options.TopicPrefix, _agentId) : [],
        ]);
        if (_options.Uplink.Enabled)
        {
            _logger.LogInformation("Embedded MQTT broker bridges {Prefix}/{Agent}/ to {Host}:{Port} (TLS {Tls})", _options.TopicPrefix, _agentId,
                _options.Uplink.Host, _options.Uplink.Port, _options.Uplink.Tls.Enabled ? "on" : "off");
        }
        Launch(config);
        WaitUntilListening(TimeSpan.FromSeconds(5));
        _supervisor = Task.Run(() => Supervise(config));
    }

    /// <summary>
    /// Replaces <paramref name="path"/> by a file created with mode 0600, so the uplink password is never readable by
    /// another user, not even for a moment and not from a file an older version left with wider permissions.
    /// </summary>
    private static void WritePrivately(string path, IEnumerable<string> lines)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the embedded broker runs Mosquitto on Linux");
        var temporary = path + ".partial";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var writer = new StreamWriter(stream))
        {
            foreach (var line in lines) writer.WriteLine(line);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>So the agent's own client finds the broker on its first attempt.</summary>
    private void WaitUntilListening(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && _process is { HasExited: false })
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                client.Connect(System.Net.IPAddress.Loopback, _options.Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(50);
            }
        }
        _logger.LogWarning("Embedded MQTT broker is not listening on 127.0.0.1:{Port} yet (is the port taken?)", _options.Port);
    }

    private void Launch(string config)
    {
        _process = Process.Start(new ProcessStartInfo(_options.MosquittoPath, $"-c {config}") { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"could not start {_options.MosquittoPath}");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (_options.Uplink.Enabled && _uplinkFailures.Failure(e.Data) is { } failure)
            {
                _logger.LogWarning("Uplink to {Host}:{Port} failed: {Reason}; the embedded broker keeps the events and tries again (every 30 s at most)",
                    _options.Uplink.Host, _options.Uplink.Port, failure);
            }
            else
            {
                _logger.LogDebug("mosquitto: {Line}", e.Data);
            }
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        _logger.LogInformation("Embedded MQTT broker started on 127.0.0.1:{Port} (pid {Pid})", _options.Port, _process.Id);
    }

    private async Task Supervise(string config)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _process!.WaitForExitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _logger.LogWarning("Embedded MQTT broker exited with code {Code}; starting it again in {Delay} s", _process.ExitCode, RestartDelay.TotalSeconds);
            if (!await RelaunchAsync(config)) return;
            Restarts++;
        }
    }

    /// <summary>
    /// Starts the broker again after <see cref="RestartDelay"/>, and keeps trying while it cannot be started (its program
    /// replaced by a package upgrade, no process slots left): a failed start must not end the supervision for good.
    /// </summary>
    /// <returns>false when the agent stopped meanwhile.</returns>
    private async Task<bool> RelaunchAsync(string config)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Task.Delay(RestartDelay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            try
            {
                Launch(config);
                return true;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                // The first failure and every thirtieth (a minute apart): the broker staying down must show, without a flood.
                if (attempt % 30 == 1)
                {
                    _logger.LogError("Embedded MQTT broker could not be started again ({Reason}), attempt {Attempt}; trying again every {Delay} s",
                        e.Message, attempt, RestartDelay.TotalSeconds);
                }
            }
        }
    }

    /// <summary>
    /// Stops the broker after the agent has said offline through it, the way Mosquitto expects: SIGTERM, so it saves its
    /// database (sessions, queued messages, retained ones) and closes; killed only if it has not exited in time.
    /// </summary>
    public void Stop()
    {
        if (_disposed || _stop.IsCancellationRequested) return;
        _stop.Cancel();
        try
        {
            _supervisor?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // the supervisor ended on the cancellation
        }
        if (_process is not { HasExited: false } process) return;
        if (LibcNative.Kill(process.Id, LibcNative.SigTerm) == 0 && process.WaitForExit(StopTimeout)) return;
        _logger.LogWarning("Embedded MQTT broker (pid {Pid}) did not stop within {Seconds} s of SIGTERM; killing it", process.Id, StopTimeout.TotalSeconds);
        process.Kill();
        process.WaitForExit(StopTimeout);
    }

    public void Dispose()
    {
        if (_disposed) return;
        Stop();
        _disposed = true;
        _process?.Dispose();
        _stop.Dispose();
    }
}
