using System.Diagnostics;
using System.Text.Json;
using LineWatch.Comms.Mqtt;
using LineWatch.Events;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Keeps the shift summary current: every 5 s it credits each streaming camera with uptime, and at the first tick and
/// every 30 s after it saves that and publishes the summary of the current and the previous shift, retained, on <c>…/summary</c> (also on every
/// connect, so a new subscriber has it at once). The dashboard reads the same through <see cref="Payload"/>.
/// </summary>
internal sealed class ShiftSummaryService(AgentStatus status, UptimeLedger uptime, ShiftReport report, MqttPublisher publisher,
    ILogger<ShiftSummaryService> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private const int TicksPerReport = 6;
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Lock _lock = new();
    private Timer? _timer;
    private long _last = Stopwatch.GetTimestamp();
    private int _ticks;
    private bool _saveFailing;

    /// <summary>The summary as published and served: the current shift (so far) and the previous one.</summary>
    public static object Payload(ShiftReport report, DateTimeOffset now)
    {
        var (current, previous) = report.At(now);
        return new { current, previous };
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        publisher.Connected += Publish;
        _timer = new Timer(_ => OnTick(), null, Tick, Tick);
        return Task.CompletedTask;
    }

    private void OnTick()
    {
        lock (_lock)
        {
            Observe();
            if (_ticks++ % TicksPerReport != 0) return; // the first tick reports too: a new agent's summary is there within seconds
            Save();
        }
        Publish();
    }

    /// <summary>Credits the cameras streaming now with the time since the last look.</summary>
    private void Observe()
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_last, now);
        _last = now;
        uptime.Observe(DateTimeOffset.UtcNow, elapsed, status.Current.Cameras.Where(c => c.Capture == "streaming").Select(c => c.Name));
    }

    private void Save()
    {
        try
        {
            uptime.Save();
            _saveFailing = false;
        }
        catch (SqliteException e)
        {
            // Kept in memory and added with the next save that works.
            if (!_saveFailing) logger.LogWarning("Shift summary: camera uptime could not be saved ({Reason}); retrying", e.Message);
            _saveFailing = true;
        }
    }

    private void Publish()
    {
        try
        {
            if (!publisher.IsConnected) return;
            publisher.PublishState(publisher.Topics.Summary, JsonSerializer.SerializeToUtf8Bytes(Payload(report, DateTimeOffset.UtcNow), Json));
        }
        catch (SqliteException e)
        {
            logger.LogWarning("Shift summary could not be read from the database ({Reason})", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        publisher.Connected -= Publish;
        _timer?.Dispose();
        lock (_lock)
        {
            Observe();
            Save();
        }
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();
}
