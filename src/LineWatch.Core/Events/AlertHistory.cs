using System.Text;
using LineWatch.Configuration;
using LineWatch.Storage;
using Microsoft.Data.Sqlite;

namespace LineWatch.Events;

/// <summary>One alert as the operator sees it: its life so far, whether it has a snapshot, and what the operator said about it.</summary>
public sealed record AlertRecord(string Id, string Camera, DateTimeOffset Started, DateTimeOffset? Ended, double Peak, AlertSeverity Severity,
    bool HasSnapshot, DateTimeOffset? Acknowledged, AlertVerdict? Verdict)
{
    public bool Active => Ended is null;
}

/// <summary>Which alerts by verdict: any, those without one yet, or those with the given one.</summary>
public enum VerdictFilter { Any, None, FalseAlarm, Confirmed }

/// <summary>
/// A page of the history: alerts that started in [<see cref="From"/>, <see cref="To"/>] (either end open when null), of
/// one camera or all, by verdict and by severity (any when null); newest first, <see cref="Limit"/> of them after
/// skipping <see cref="Offset"/>.
/// </summary>
public sealed record AlertQuery(string? Camera = null, DateTimeOffset? From = null, DateTimeOffset? To = null, VerdictFilter Verdict = VerdictFilter.Any,
    int Limit = 50, int Offset = 0, AlertSeverity? Severity = null);

/// <summary>A camera's alerts that started in a period: how many, how many critical, and the operators' verdicts on them.</summary>
public sealed record AlertCounts(string Camera, int Alerts, int Critical, int Confirmed, int FalseAlarms)
{
    /// <summary>Alerts no operator has given a verdict on yet.</summary>
    public int Unreviewed => Alerts - Confirmed - FalseAlarms;
}

/// <summary>A page of alerts and how many match the query in all.</summary>
public sealed record AlertPage(IReadOnlyList<AlertRecord> Alerts, int Total);

/// <summary>
/// The alert history in the agent's database (tables <c>alerts</c> and <c>alert_snapshots</c>): every alert with its
/// start and end, peak, severity, latest snapshot (a JPEG of a few KB), the operator's acknowledgement and verdict. It
/// survives restarts; what is kept is set by <see cref="HistoryOptions"/> (by default the newest 10,000 alerts). Alert
/// events are recorded by <see cref="AlertJournal"/> in the transaction that also queues them for MQTT; operator
/// feedback is written here.
/// </summary>
public sealed class AlertHistory(AgentDatabase database, HistoryOptions? retention = null)
{
    private readonly HistoryOptions _retention = retention ?? new();

    /// <summary>Raised with the updated record after each committed change (on the writer's thread; keep handlers short).</summary>
    public event Action<AlertRecord>? Changed;

    /// <summary>Records an alert event within <paramref name="write"/>: a start inserts the alert, an update or end amends it.</summary>
    public void Record(DatabaseWrite write, AlertNotice notice)
    {
        var e = notice.Event;
        AlertRecord record;
        using (var upsert = write.Command("""
            INSERT INTO alerts (id, camera, started, ended, peak, severity) VALUES ($id, $camera, $started, $ended, $peak, $severity)
            ON CONFLICT (id) DO UPDATE SET
                ended = excluded.ended,
                peak = MAX(peak, excluded.peak),
                severity = CASE WHEN excluded.severity = 'critical' THEN 'critical' ELSE severity END
            RETURNING id, camera, started, ended, peak, severity, acknowledged, verdict
            """))
        {
            upsert.Parameters.AddWithValue("$id", e.Id);
            upsert.Parameters.AddWithValue("$camera", e.Camera);
            upsert.Parameters.AddWithValue("$started", notice.Started.ToUnixTimeMilliseconds());
            upsert.Parameters.AddWithValue("$ended", e.Phase == AlertPhase.End ? notice.Time.ToUnixTimeMilliseconds() : DBNull.Value);
            upsert.Parameters.AddWithValue("$peak", e.Peak);
            upsert.Parameters.AddWithValue("$severity", SeverityName(e.Severity));
            using var reader = upsert.ExecuteReader();
            reader.Read();
            record = Read(reader, hasSnapshot: false);
        }
        if (notice.Snapshot is { } jpeg)
        {
            using var snapshot = write.Command("INSERT OR REPLACE INTO alert_snapshots (alert_id, jpeg) VALUES ($id, $jpeg)");
            snapshot.Parameters.AddWithValue("$id", e.Id);
            snapshot.Parameters.AddWithValue("$jpeg", jpeg);
            snapshot.ExecuteNonQuery();
        }
        if (e.Phase == AlertPhase.Start) Prune(write, notice.Time);
        record = record with { HasSnapshot = notice.Snapshot is not null || HasSnapshot(write, e.Id) };
        write.OnCommitted(() => Changed?.Invoke(record));
    }

    public AlertPage Query(AlertQuery query) => database.Read(connection =>
    {
        var where = new StringBuilder("WHERE 1 = 1");
        using var count = connection.CreateCommand();
        using var page = connection.CreateCommand();
        void Filter(string clause, string name, object value)
        {
            where.Append(" AND ").Append(clause);
            count.Parameters.AddWithValue(name, value);
            page.Parameters.AddWithValue(name, value);
        }
        if (query.Camera is { } camera) Filter("camera = $camera", "$camera", camera);
        if (query.From is { } from) Filter("started >= $from", "$from", from.ToUnixTimeMilliseconds());
        if (query.To is { } to) Filter("started <= $to", "$to", to.ToUnixTimeMilliseconds());
        if (query.Severity is { } severity) Filter("severity = $severity", "$severity", SeverityName(severity));
        switch (query.Verdict)
        {
            case VerdictFilter.None: where.Append(" AND verdict IS NULL"); break;
            case VerdictFilter.FalseAlarm: Filter("verdict = $verdict", "$verdict", AlertFeedback.FalseAlarm); break;
            case VerdictFilter.Confirmed: Filter("verdict = $verdict", "$verdict", AlertFeedback.Confirmed); break;
        }
        count.CommandText = $"SELECT COUNT(*) FROM alerts {where}";
        var total = Convert.ToInt32(count.ExecuteScalar());
        page.CommandText = $"{Select} {where} ORDER BY started DESC, id DESC LIMIT $limit OFFSET $offset";
        page.Parameters.AddWithValue("$limit", query.Limit);
        page.Parameters.AddWithValue("$offset", query.Offset);
        return new AlertPage(ReadAll(page), total);
    });

    /// <summary>Per camera with alerts, those that started in [<paramref name="from"/>, <paramref name="to"/>), counted (a shift's summary).</summary>
    public IReadOnlyList<AlertCounts> Count(DateTimeOffset from, DateTimeOffset to) => database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT camera, COUNT(*), SUM(severity = 'critical'), SUM(verdict IS $confirmed), SUM(verdict IS $falseAlarm)
            FROM alerts WHERE started >= $from AND started < $to GROUP BY camera ORDER BY camera
            """;
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$confirmed", AlertFeedback.Confirmed);
        command.Parameters.AddWithValue("$falseAlarm", AlertFeedback.FalseAlarm);
        using var reader = command.ExecuteReader();
        var counts = new List<AlertCounts>();
        while (reader.Read()) counts.Add(new AlertCounts(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4)));
        return counts;
    });

    public AlertRecord? Find(string id) => database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"{Select} WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return ReadAll(command).FirstOrDefault();
    });

    /// <summary>The alert's latest snapshot (JPEG), or null.</summary>
    public byte[]? Snapshot(string id) => database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT jpeg FROM alert_snapshots WHERE alert_id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() as byte[];
    });

    /// <summary>Marks the alert seen by an operator (the first time counts); null when unknown.</summary>
    public AlertRecord? Acknowledge(string id) => Update(id, "acknowledged = COALESCE(acknowledged, $now)", null);

    /// <summary>Records the operator's verdict (and acknowledges the alert); null when unknown.</summary>
    public AlertRecord? SetVerdict(string id, AlertVerdict verdict) =>
        Update(id, "verdict = $verdict, acknowledged = COALESCE(acknowledged, $now)", AlertFeedback.Name(verdict));

    /// <summary>Takes a verdict back (an undone "false alarm"): the alert is unreviewed again, though still acknowledged; null when unknown.</summary>
    public AlertRecord? ClearVerdict(string id) => Update(id, "verdict = NULL", null);

    private AlertRecord? Update(string id, string set, string? verdict) => database.Write(write =>
    {
        using var update = write.Command($"UPDATE alerts SET {set} WHERE id = $id");
        update.Parameters.AddWithValue("$id", id);
        update.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (verdict is not null) update.Parameters.AddWithValue("$verdict", verdict);
        if (update.ExecuteNonQuery() == 0) return null;
        using var select = write.Command($"{Select} WHERE id = $id");
        select.Parameters.AddWithValue("$id", id);
        var record = ReadAll(select).Single();
        write.OnCommitted(() => Changed?.Invoke(record));
        return (AlertRecord?)record;
    });

    /// <summary>
    /// Deletes what the retention no longer keeps as of <paramref name="now"/>, in a transaction of its own: for a line
    /// that raises no alerts, whose history an alert's start never prunes. Returns how many alerts were deleted.
    /// </summary>
    public int Prune(DateTimeOffset now)
    {
        using var write = database.BeginWrite();
        var deleted = Prune(write, now);
        write.Commit();
        return deleted;
    }

    /// <summary>
    /// Deletes the oldest alerts beyond <see cref="HistoryOptions.MaxAlerts"/> and the ended ones that started more than
    /// <see cref="HistoryOptions.MaxAgeDays"/> before <paramref name="now"/>; their snapshots go with them (ON DELETE CASCADE).
    /// </summary>
    private int Prune(DatabaseWrite write, DateTimeOffset now)
    {
        using var beyond = write.Command("""
            DELETE FROM alerts WHERE id IN (
                SELECT id FROM alerts ORDER BY started DESC, id DESC LIMIT -1 OFFSET $max)
            """);
        beyond.Parameters.AddWithValue("$max", _retention.MaxAlerts);
        var deleted = beyond.ExecuteNonQuery();
        if (_retention.MaxAgeDays > 0)
        {
            using var old = write.Command("DELETE FROM alerts WHERE started < $cutoff AND ended IS NOT NULL");
            old.Parameters.AddWithValue("$cutoff", (now - TimeSpan.FromDays(_retention.MaxAgeDays)).ToUnixTimeMilliseconds());
            deleted += old.ExecuteNonQuery();
        }
        return deleted;
    }

    private static bool HasSnapshot(DatabaseWrite write, string id)
    {
        using var command = write.Command("SELECT 1 FROM alert_snapshots WHERE alert_id = $id");
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is not null;
    }

    private const string Select = """
        SELECT id, camera, started, ended, peak, severity, acknowledged, verdict,
               EXISTS (SELECT 1 FROM alert_snapshots s WHERE s.alert_id = alerts.id)
        FROM alerts
        """;

    private static List<AlertRecord> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var records = new List<AlertRecord>();
        while (reader.Read()) records.Add(Read(reader, reader.GetBoolean(8)));
        return records;
    }

    private static AlertRecord Read(SqliteDataReader r, bool hasSnapshot) => new(
        r.GetString(0), r.GetString(1), Time(r.GetInt64(2)), r.IsDBNull(3) ? null : Time(r.GetInt64(3)), r.GetDouble(4),
        r.GetString(5) == "critical" ? AlertSeverity.Critical : AlertSeverity.Warning, hasSnapshot,
        r.IsDBNull(6) ? null : Time(r.GetInt64(6)), r.IsDBNull(7) ? null : VerdictOf(r.GetString(7)));

    private static AlertVerdict? VerdictOf(string text) => AlertFeedback.TryParse(text, out var verdict) ? verdict : null;

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);

    private static string SeverityName(AlertSeverity severity) => severity == AlertSeverity.Critical ? "critical" : "warning";
}
