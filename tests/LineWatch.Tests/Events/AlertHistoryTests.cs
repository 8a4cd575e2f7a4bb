using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Storage;
using LineWatch.Tests.Storage;
using Microsoft.Data.Sqlite;

namespace LineWatch.Tests.Events;

/// <summary>The alert history in a real SQLite file: what an alert's events make of it, operator feedback, queries, restarts.</summary>
public sealed class AlertHistoryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private readonly DatabaseFolder _dir = new();

    private static AlertNotice Notice(string id, AlertPhase phase, double peak = 1.5, string camera = "press", DateTimeOffset? started = null,
        AlertSeverity severity = AlertSeverity.Warning, byte[]? snapshot = null, double seconds = 0)
    {
        var start = started ?? T0;
        return new AlertNotice(new AlertEvent(id, camera, phase, seconds, 0, peak, peak, severity), start.AddSeconds(seconds), start, 2, [0f, 0f, 0f, 0f], snapshot);
    }

    private static void Record(AgentDatabase database, AlertHistory history, params AlertNotice[] notices)
    {
        using var write = database.BeginWrite();
        foreach (var notice in notices) history.Record(write, notice);
        write.Commit();
    }

    [Fact]
    public void Start_update_and_end_make_one_alert_with_its_peak_severity_end_and_latest_snapshot_and_it_survives_a_restart()
    {
        using (var database = _dir.Open())
        {
            var history = new AlertHistory(database);
            Record(database, history, Notice("a1", AlertPhase.Start, 1.5, snapshot: [1, 2]));
            Record(database, history, Notice("a1", AlertPhase.Update, 2.5, severity: AlertSeverity.Critical, snapshot: [3, 4], seconds: 2));
            Record(database, history, Notice("a1", AlertPhase.End, 1.0, seconds: 5));
        }
        using var reopened = _dir.Open();
        var again = new AlertHistory(reopened);
        var alert = again.Find("a1")!;
        Assert.Equal("press", alert.Camera);
        Assert.Equal(T0, alert.Started);
        Assert.Equal(T0.AddSeconds(5), alert.Ended);
        Assert.False(alert.Active);
        Assert.Equal(2.5, alert.Peak);
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.True(alert.HasSnapshot);
        Assert.Equal([3, 4], again.Snapshot("a1"));
        Assert.Null(alert.Verdict);
        Assert.Null(alert.Acknowledged);
    }

    [Fact]
    public void Acknowledgements_and_verdicts_persist_across_a_restart_and_unknown_ids_change_nothing()
    {
        using (var database = _dir.Open())
        {
            var history = new AlertHistory(database);
            Record(database, history, Notice("a1", AlertPhase.Start), Notice("a2", AlertPhase.Start, started: T0.AddMinutes(1)));
            var acknowledged = history.Acknowledge("a1")!.Acknowledged;
            Assert.NotNull(acknowledged);
            Assert.Equal(acknowledged, history.SetVerdict("a1", AlertVerdict.Confirmed)!.Acknowledged); // the first acknowledgement counts
            Assert.Equal(AlertVerdict.FalseAlarm, history.SetVerdict("a2", AlertVerdict.FalseAlarm)!.Verdict);
            Assert.Null(history.Acknowledge("nope"));
            Assert.Null(history.SetVerdict("nope", AlertVerdict.Confirmed));
        }
        using var reopened = _dir.Open();
        var again = new AlertHistory(reopened);
        Assert.Equal(AlertVerdict.Confirmed, again.Find("a1")!.Verdict);
        Assert.NotNull(again.Find("a1")!.Acknowledged);
        Assert.Equal(AlertVerdict.FalseAlarm, again.Find("a2")!.Verdict);
        Assert.NotNull(again.Find("a2")!.Acknowledged);
        Assert.Null(again.Find("nope"));
    }

    [Fact]
    public void Queries_filter_by_camera_time_range_and_verdict_and_page_newest_first_with_the_total()
    {
        using var database = _dir.Open();
        var history = new AlertHistory(database);
        // 12 alerts a minute apart, alternating cameras.
        Record(database, history, [.. Enumerable.Range(0, 12).Select(i => Notice($"a{i:00}", AlertPhase.Start, camera: i % 2 == 0 ? "press" : "line", started: T0.AddMinutes(i)))]);
        history.SetVerdict("a02", AlertVerdict.FalseAlarm);
        history.SetVerdict("a04", AlertVerdict.Confirmed);
        history.Acknowledge("a06");

        var all = history.Query(new AlertQuery(Limit: 5));
        Assert.Equal(12, all.Total);
        Assert.Equal(["a11", "a10", "a09", "a08", "a07"], all.Alerts.Select(a => a.Id));
        Assert.Equal(["a06", "a05", "a04", "a03", "a02"], history.Query(new AlertQuery(Limit: 5, Offset: 5)).Alerts.Select(a => a.Id));
        Assert.Equal(["a01", "a00"], history.Query(new AlertQuery(Limit: 5, Offset: 10)).Alerts.Select(a => a.Id));

        var press = history.Query(new AlertQuery(Camera: "press"));
        Assert.Equal(6, press.Total);
        Assert.All(press.Alerts, a => Assert.Equal("press", a.Camera));

        var range = history.Query(new AlertQuery(From: T0.AddMinutes(3), To: T0.AddMinutes(5)));
        Assert.Equal(["a05", "a04", "a03"], range.Alerts.Select(a => a.Id));
        Assert.Equal(["a03"], history.Query(new AlertQuery(Camera: "line", From: T0.AddMinutes(2), To: T0.AddMinutes(4))).Alerts.Select(a => a.Id));

        Assert.Equal(["a02"], history.Query(new AlertQuery(Verdict: VerdictFilter.FalseAlarm)).Alerts.Select(a => a.Id));
        Assert.Equal(["a04"], history.Query(new AlertQuery(Verdict: VerdictFilter.Confirmed)).Alerts.Select(a => a.Id));
        var none = history.Query(new AlertQuery(Verdict: VerdictFilter.None, Limit: 100));
        Assert.Equal(10, none.Total);
        Assert.Contains(none.Alerts, a => a.Id == "a06"); // acknowledged, but no verdict
    }

    [Fact]
    public void Queries_filter_by_severity_with_the_other_filters()
    {
        using var database = _dir.Open();
        var history = new AlertHistory(database);
        Record(database, history, [.. Enumerable.Range(0, 6).Select(i => Notice($"s{i}", AlertPhase.Start, camera: i < 3 ? "press" : "line", started: T0.AddMinutes(i),
            severity: i % 2 == 0 ? AlertSeverity.Critical : AlertSeverity.Warning))]);
        Record(database, history, Notice("s1", AlertPhase.Update, severity: AlertSeverity.Critical, started: T0.AddMinutes(1))); // went up during the alert

        Assert.Equal(["s4", "s2", "s1", "s0"], history.Query(new AlertQuery(Severity: AlertSeverity.Critical)).Alerts.Select(a => a.Id));
        Assert.Equal(["s5", "s3"], history.Query(new AlertQuery(Severity: AlertSeverity.Warning)).Alerts.Select(a => a.Id));
        Assert.Equal(["s4"], history.Query(new AlertQuery(Camera: "line", Severity: AlertSeverity.Critical)).Alerts.Select(a => a.Id));
    }

    [Fact]
    public void Beyond_the_default_10000_alerts_the_oldest_are_deleted_with_their_snapshots()
    {
        const int kept = 10_000;
        using var database = _dir.Open();
        var history = new AlertHistory(database);
        Record(database, history, [.. Enumerable.Range(0, kept + 2).Select(i => Notice($"a{i:00000}", AlertPhase.Start, started: T0.AddSeconds(i), snapshot: [1]))]);
        Assert.Equal(kept, history.Query(new AlertQuery(Limit: 1)).Total);
        Assert.Null(history.Find("a00000"));
        Assert.Null(history.Find("a00001"));
        Assert.NotNull(history.Find("a00002"));
        Assert.Equal((long)kept, SnapshotCount(database));
    }

    [Fact]
    public void MaxAlerts_keeps_the_newest_that_many_from_the_next_start_on_even_after_a_restart_with_a_lower_setting()
    {
        using (var database = _dir.Open())
        {
            var history = new AlertHistory(database, new HistoryOptions { MaxAlerts = 5 });
            Record(database, history, [.. Enumerable.Range(0, 7).Select(i => Notice($"a{i}", AlertPhase.Start, started: T0.AddMinutes(i), snapshot: [1]))]);
            Assert.Equal(["a6", "a5", "a4", "a3", "a2"], history.Query(new AlertQuery()).Alerts.Select(a => a.Id));
            Assert.Equal(5L, SnapshotCount(database));
        }
        using var reopened = _dir.Open();
        var lower = new AlertHistory(reopened, new HistoryOptions { MaxAlerts = 2 });
        Assert.Equal(3, lower.Prune(T0.AddMinutes(10)));
        Assert.Equal(["a6", "a5"], lower.Query(new AlertQuery()).Alerts.Select(a => a.Id));
        Assert.Equal(2L, SnapshotCount(reopened));
    }

    [Fact]
    public void MaxAgeDays_deletes_ended_alerts_that_started_longer_ago_but_keeps_active_ones_and_zero_keeps_all()
    {
        using var database = _dir.Open();
        var history = new AlertHistory(database, new HistoryOptions { MaxAgeDays = 7 });
        var now = T0.AddDays(30);
        Record(database, history,
            Notice("old", AlertPhase.Start, started: now.AddDays(-8), snapshot: [1]), Notice("old", AlertPhase.End, started: now.AddDays(-8), seconds: 60),
            Notice("old-active", AlertPhase.Start, started: now.AddDays(-9)),
            Notice("recent", AlertPhase.Start, started: now.AddDays(-6)), Notice("recent", AlertPhase.End, started: now.AddDays(-6), seconds: 60));
        // Pruned by each start as of the event's own time: "old" was not yet 7 days old when "recent" started.
        Assert.NotNull(history.Find("old"));

        Assert.Equal(0, new AlertHistory(database, new HistoryOptions { MaxAgeDays = 0 }).Prune(now));
        Assert.Equal(1, history.Prune(now));
        Assert.Null(history.Find("old"));
        Assert.Null(history.Snapshot("old"));
        Assert.NotNull(history.Find("old-active"));
        Assert.NotNull(history.Find("recent"));

        // A start prunes too: "recent" is 8 days old when this one starts.
        Record(database, history, Notice("later", AlertPhase.Start, started: now.AddDays(2)));
        Assert.Equal(["later", "old-active"], history.Query(new AlertQuery()).Alerts.Select(a => a.Id));
    }

    [Fact]
    public void Listeners_hear_of_a_change_only_once_it_is_committed()
    {
        using var database = _dir.Open();
        var history = new AlertHistory(database);
        var heard = new List<AlertRecord>();
        history.Changed += heard.Add;
        using (var write = database.BeginWrite())
        {
            history.Record(write, Notice("rolled-back", AlertPhase.Start));
        }
        Assert.Empty(heard);
        Assert.Null(history.Find("rolled-back"));
        Record(database, history, Notice("a1", AlertPhase.Start, snapshot: [1]));
        history.Acknowledge("a1");
        Assert.Equal(["a1", "a1"], heard.Select(r => r.Id));
        Assert.True(heard[0].HasSnapshot);
        Assert.NotNull(heard[1].Acknowledged);
    }

    private static long SnapshotCount(AgentDatabase database) =>
        (long)database.Read(c => new SqliteCommand("SELECT COUNT(*) FROM alert_snapshots", c).ExecuteScalar())!;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
