using LineWatch.Agent.Hosting;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Tests.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Tests.Hosting;

/// <summary>The retention pass at the agent's start, on a real database file that a line with no new alerts left behind.</summary>
public sealed class HistoryRetentionTests : IDisposable
{
    private readonly DatabaseFolder _dir = new();

    [Fact]
    public async Task At_start_alerts_older_than_MaxAgeDays_are_deleted_without_any_new_alert()
    {
        var now = DateTimeOffset.UtcNow;
        using (var database = _dir.Open())
        {
            var history = new AlertHistory(database);
            using var write = database.BeginWrite();
            foreach (var (id, age) in new[] { ("ten-days", 10.0), ("two-days", 2.0) })
            {
                var started = now.AddDays(-age);
                history.Record(write, new AlertNotice(new AlertEvent(id, "press", AlertPhase.End, 60, 0, 1.5, 1.5, AlertSeverity.Warning),
                    started.AddMinutes(1), started, 2, [0f, 0f, 0f, 0f], [1, 2]));
            }
            write.Commit();
        }

        using var reopened = _dir.Open();
        var retained = new AlertHistory(reopened, new HistoryOptions { MaxAgeDays = 7 });
        using var retention = new HistoryRetention(retained, NullLogger<HistoryRetention>.Instance);
        await retention.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (retained.Find("ten-days") is not null && DateTime.UtcNow < deadline) await Task.Delay(50);
        await retention.StopAsync(CancellationToken.None);

        Assert.Null(retained.Find("ten-days"));
        Assert.Null(retained.Snapshot("ten-days"));
        Assert.NotNull(retained.Find("two-days"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
