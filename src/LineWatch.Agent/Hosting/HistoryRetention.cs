using LineWatch.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Applies the history's retention (<c>History:MaxAgeDays</c>, and a <c>MaxAlerts</c> lowered since the last run) at start
/// and every hour: an alert's start prunes the history too, but a quiet line raises none. A failure (a full disk) is
/// logged and tried again the next hour; alerting does not depend on it.
/// </summary>
internal sealed class HistoryRetention(AlertHistory history, ILogger<HistoryRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the first pass may delete many rows: not on the host's start-up path
        using var timer = new PeriodicTimer(Period);
        do
        {
            Prune();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Prune()
    {
        try
        {
            if (history.Prune(DateTimeOffset.UtcNow) is var deleted and > 0)
            {
                logger.LogInformation("Alert history: {Count} alert(s) beyond the retention (History:MaxAlerts, History:MaxAgeDays) deleted", deleted);
            }
        }
        catch (Exception e)
        {
            logger.LogError("Alert history could not be pruned ({Reason}); trying again in an hour", e.Message);
        }
    }
}
