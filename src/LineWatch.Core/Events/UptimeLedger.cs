using LineWatch.Storage;

namespace LineWatch.Events;

/// <summary>
/// How long each camera delivered frames in each shift (table <c>camera_uptime</c>), for the shift summary's uptime.
/// Time is added in memory as the agent observes its cameras and saved every minute or so, so a restart costs at most
/// the unsaved part; while the agent is not running no camera is watched, and none gains uptime. Shifts older than
/// <see cref="KeptDays"/> are deleted as new ones are saved.
/// </summary>
public sealed class UptimeLedger(AgentDatabase database, ShiftCalendar calendar)
{
    public const int KeptDays = 92;

    private readonly Lock _lock = new();
    private readonly Dictionary<(long Shift, string Camera), double> _unsaved = [];

    /// <summary>Adds <paramref name="elapsed"/> of streaming, ending at <paramref name="now"/>, to each camera in <paramref name="streaming"/>.</summary>
    public void Observe(DateTimeOffset now, TimeSpan elapsed, IEnumerable<string> streaming)
    {
        var shift = calendar.At(now).Start.ToUnixTimeMilliseconds();
        lock (_lock)
        {
            foreach (var camera in streaming) _unsaved[(shift, camera)] = _unsaved.GetValueOrDefault((shift, camera)) + elapsed.TotalSeconds;
        }
    }

    /// <summary>The camera's streaming seconds in the shift, saved and unsaved.</summary>
    public double Seconds(Shift shift, string camera)
    {
        var start = shift.Start.ToUnixTimeMilliseconds();
        var saved = database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seconds FROM camera_uptime WHERE shift_start = $shift AND camera = $camera";
            command.Parameters.AddWithValue("$shift", start);
            command.Parameters.AddWithValue("$camera", camera);
            return command.ExecuteScalar() is double seconds ? seconds : 0;
        });
        lock (_lock) return saved + _unsaved.GetValueOrDefault((start, camera));
    }

    /// <summary>Adds what was observed since the last save to the table, in one transaction; on failure it stays in memory for the next.</summary>
    public void Save()
    {
        KeyValuePair<(long Shift, string Camera), double>[] batch;
        lock (_lock) batch = [.. _unsaved];
        if (batch.Length == 0) return;
        using var write = database.BeginWrite();
        using (var upsert = write.Command("""
            INSERT INTO camera_uptime (shift_start, camera, seconds) VALUES ($shift, $camera, $seconds)
            ON CONFLICT (shift_start, camera) DO UPDATE SET seconds = seconds + excluded.seconds
            """))
        {
            foreach (var ((shift, camera), seconds) in batch)
            {
                upsert.Parameters.Clear();
                upsert.Parameters.AddWithValue("$shift", shift);
                upsert.Parameters.AddWithValue("$camera", camera);
                upsert.Parameters.AddWithValue("$seconds", seconds);
                upsert.ExecuteNonQuery();
            }
        }
        using (var prune = write.Command("DELETE FROM camera_uptime WHERE shift_start < $oldest"))
        {
            prune.Parameters.AddWithValue("$oldest", batch.Min(b => b.Key.Shift) - TimeSpan.FromDays(KeptDays).Ticks / TimeSpan.TicksPerMillisecond);
            prune.ExecuteNonQuery();
        }
        // Taken out of memory only once they are in the table (a summary read at that instant may be off by those seconds, once).
        write.OnCommitted(() =>
        {
            lock (_lock)
            {
                foreach (var (key, seconds) in batch)
                {
                    var left = _unsaved[key] - seconds;
                    if (left <= 0) _unsaved.Remove(key);
                    else _unsaved[key] = left;
                }
            }
        });
        write.Commit();
    }
}
