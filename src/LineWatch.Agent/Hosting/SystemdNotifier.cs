using System.Diagnostics;
using System.Net.Sockets;
using LineWatch.Comms.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Tells systemd (<c>Type=notify</c>, <c>WatchdogSec=</c>) how the agent is: <c>READY=1</c> once the host has
/// started, a one-line <c>STATUS=</c> (what <c>systemctl status</c> shows), <c>WATCHDOG=1</c> every half
/// watchdog period while the agent is live, and <c>STOPPING=1</c> when it stops. Live means the analysis is
/// making progress: the inference thread is waiting for clips or finishes its batch in reasonable time, and
/// the pings come from a thread-pool timer, so a starved or deadlocked host stops them as well. A
/// camera that went silent does not count against it (its worker reconnects by itself, and a restart would
/// not bring the camera back); a model that failed to load does not either (a restart would fail the same
/// way). Without <c>$NOTIFY_SOCKET</c> this does nothing.
/// </summary>
internal sealed class SystemdNotifier : IHostedService, IDisposable
{
    /// <summary>A batch may take this long at least before the agent counts as hung; slow models get 10× their p99.</summary>
    private static readonly TimeSpan MinimumStallLimit = TimeSpan.FromSeconds(60);
    /// <summary>How often the status line is refreshed when there is no watchdog to ping.</summary>
    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(10);

    private readonly NotifySocket? _socket;
    private readonly TimeSpan? _watchdog;
    private readonly PipelineService _pipeline;
    private readonly ModelService _model;
    private readonly MqttPublisher _publisher;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Timer? _timer;
    private bool _sendFailed, _withholding, _stopping;
    private (long Ticks, long Windows)? _previous;

    public SystemdNotifier(PipelineService pipeline, ModelService model, MqttPublisher publisher, IHostApplicationLifetime lifetime,
        ILogger<SystemdNotifier> logger)
    {
        (_pipeline, _model, _publisher, _lifetime, _logger) = (pipeline, model, publisher, lifetime, logger);
        _socket = NotifySocket.Open(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));
        _watchdog = WatchdogPeriod(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
        // As sd_notify's unset_environment: the host builds every hosted service before starting any, so this
        // runs before the embedded Mosquitto is launched. Mosquitto links libsystemd and would otherwise send
        // its own READY=1 in our name, which systemd rejects and logs.
        foreach (var name in (string[])["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]) Environment.SetEnvironmentVariable(name, null);
    }

    /// <summary>Half of WATCHDOG_USEC (as sd_watchdog_enabled(3) advises), or null when the watchdog is off or meant for another process.</summary>
    internal static TimeSpan? WatchdogPeriod(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, out var microseconds) || microseconds <= 0) return null;
        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, out var forPid) || forPid != ownPid)) return null;
        return TimeSpan.FromMicroseconds(microseconds / 2.0);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_socket is null) return Task.CompletedTask;
        _logger.LogInformation("systemd notification socket {Address}; watchdog {Watchdog}", _socket.Address,
            _watchdog is { } period ? $"ping every {period.TotalSeconds:0.#} s while live" : "off");
        _lifetime.ApplicationStarted.Register(() =>
        {
            lock (_lock)
            {
                Send("READY=1\nSTATUS=" + Status(out _));
                var period = _watchdog ?? StatusPeriod;
                _timer = new Timer(_ => Tick(), null, period, period);
            }
        });
        return Task.CompletedTask;
    }

    /// <summary>One period: the status line always, the watchdog ping only while live.</summary>
    private void Tick()
    {
        lock (_lock)
        {
            if (_stopping) return; // a tick that was already due when the timer was stopped
            var status = Status(out var live);
            if (!live && !_withholding) _logger.LogError("Watchdog pings withheld: {Status}", status);
            else if (live && _withholding) _logger.LogInformation("Watchdog pings resumed: {Status}", status);
            _withholding = !live;
            Send(_watchdog is not null && live ? "WATCHDOG=1\nSTATUS=" + status : "STATUS=" + status);
        }
    }

    /// <summary>The line systemctl shows, and whether the agent is live (see the class summary).</summary>
    private string Status(out bool live)
    {
        live = true;
        if (_model.Model is null) return $"no model loaded ({_model.LoadError}); nothing is analysed";
        if (_pipeline.Pipeline is not { } pipeline) return "analysis not running (see the log)";

        var inference = pipeline.Inference;
        var p99 = inference.BatchLatency.Percentile(99);
        var limit = double.IsNaN(p99) ? MinimumStallLimit : TimeSpan.FromMilliseconds(Math.Max(MinimumStallLimit.TotalMilliseconds, 10 * p99));
        if (inference.BatchRunningFor > limit)
        {
            live = false;
            return $"hung: one inference batch has been running for {inference.BatchRunningFor.TotalSeconds:0} s";
        }

        var now = Stopwatch.GetTimestamp();
        // Every window the backbone ran, of cameras removed since too: a rate from a counter that never drops.
        var windows = inference.Clips;
        var rate = _previous is { } p ? (windows - p.Windows) / Stopwatch.GetElapsedTime(p.Ticks, now).TotalSeconds : 0;
        _previous = (now, windows);
        var cameras = pipeline.Cameras;
        var streaming = cameras.Count(c => c.State == Processing.CameraState.Streaming);
        return $"{streaming}/{cameras.Count} cameras streaming, {rate:0.0} windows/s, MQTT {(_publisher.IsConnected ? "connected" : "not connected")}, " +
            $"{_publisher.Pending} alert message(s) pending";
    }

    private void Send(string message)
    {
        try
        {
            _socket!.Send(message);
            _sendFailed = false;
        }
        catch (SocketException e)
        {
            // Said once per outage: the agent carries on without its service manager.
            if (!_sendFailed) _logger.LogWarning("systemd notification failed: {Reason}", e.Message);
            _sendFailed = true;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_socket is null) return Task.CompletedTask;
        lock (_lock)
        {
            _stopping = true;
            _timer?.Dispose();
            _timer = null;
            Send("STOPPING=1\nSTATUS=stopping");
        }
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _socket?.Dispose();
    }
}
