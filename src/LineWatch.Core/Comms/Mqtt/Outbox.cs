using LineWatch.Storage;

namespace LineWatch.Comms.Mqtt;

/// <summary>A message for the broker: its topic, payload and retain flag.</summary>
public sealed record OutboxMessage(string Topic, byte[] Payload, bool Retain);

/// <summary>A message waiting in the outbox for the broker's acknowledgement; sequences rise in the order messages were put.</summary>
public sealed record OutboxEntry(long Sequence, string Topic, byte[] Payload, bool Retain);

/// <summary>
/// Messages that must not be lost (alert events and their snapshots), in the <c>outbox</c> table of the agent's
/// database: put in the same transaction as the alert they belong to, so they are on disk before they are sent, and
/// deleted only once the receiver acknowledged them, so neither an outage nor a crash of the agent loses one.
/// The table holds one queue per destination (<see cref="Mqtt"/>, or <see cref="WebhookDestination"/> for each
/// webhook); an instance sees, counts and bounds only the rows of its own.
/// Bounded: when <c>capacity</c> messages are pending, the oldest are deleted to make room and counted
/// (<see cref="Dropped"/>), so a long outage costs the oldest events, visibly, rather than the disk.
/// </summary>
public sealed class Outbox
{
    /// <summary>The broker's queue.</summary>
    public const string Mqtt = "mqtt";

    private readonly AgentDatabase _database;
    private readonly int _capacity;
    private readonly string _destination;
    private int _pending;
    private long _dropped;

    // The write in progress (under the database's write lock) and how it changed the count so far: one alert puts several messages.
    private DatabaseWrite? _openWrite;
    private int _openChange;

    public Outbox(AgentDatabase database, int capacity, string destination = Mqtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _database = database;
        _capacity = capacity;
        _destination = destination;
        // Counted once here and then kept in step with each commit: counting the table on every status refresh would
        // read every page of a large backlog.
        _pending = database.Read(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM outbox WHERE destination = $destination";
            command.Parameters.AddWithValue("$destination", destination);
            return Convert.ToInt32(command.ExecuteScalar());
        });
    }

    /// <summary>The queue of the webhook named <paramref name="name"/>.</summary>
    public static string WebhookDestination(string name) => $"webhook:{name}";

    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>Messages dropped because the outbox was full, since this process started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds a message within <paramref name="write"/> (durable when it commits); drops the oldest beyond the capacity.</summary>
    public void Put(DatabaseWrite write, OutboxMessage message)
    {
        using (var insert = write.Command("INSERT INTO outbox (destination, topic, payload, retain) VALUES ($destination, $topic, $payload, $retain)"))
        {
            insert.Parameters.AddWithValue("$destination", _destination);
            insert.Parameters.AddWithValue("$topic", message.Topic);
            insert.Parameters.AddWithValue("$payload", message.Payload);
            insert.Parameters.AddWithValue("$retain", message.Retain);
            insert.ExecuteNonQuery();
        }
        // Under the write lock nothing else changes the table: the committed count plus this write's own changes is exact.
        if (!ReferenceEquals(_openWrite, write)) (_openWrite, _openChange) = (write, 0);
        var pending = PendingCount + _openChange + 1;
        var dropped = 0;
        if (pending > _capacity)
        {
            using var drop = write.Command("DELETE FROM outbox WHERE sequence IN (SELECT sequence FROM outbox WHERE destination = $destination ORDER BY sequence LIMIT $excess)");
            drop.Parameters.AddWithValue("$destination", _destination);
            drop.Parameters.AddWithValue("$excess", pending - _capacity);
            dropped = drop.ExecuteNonQuery();
        }
        _openChange += 1 - dropped;
        Track(write, 1 - dropped, dropped);
    }

    /// <summary>Up to <paramref name="limit"/> pending messages with a sequence above <paramref name="sequence"/>, oldest first.</summary>
    public IReadOnlyList<OutboxEntry> After(long sequence, int limit) => _database.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT sequence, topic, payload, retain FROM outbox WHERE destination = $destination AND sequence > $after ORDER BY sequence LIMIT $limit";
        command.Parameters.AddWithValue("$destination", _destination);
        command.Parameters.AddWithValue("$after", sequence);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<OutboxEntry>();
        while (reader.Read()) entries.Add(new OutboxEntry(reader.GetInt64(0), reader.GetString(1), (byte[])reader[2], reader.GetBoolean(3)));
        return entries;
    });

    /// <summary>The receiver has these: delete them, in one transaction (one fsync for a whole batch of acknowledgements).</summary>
    public void Acknowledge(IReadOnlyCollection<long> sequences)
    {
        if (sequences.Count == 0) return;
        _database.Write(write =>
        {
            using var delete = write.Command("DELETE FROM outbox WHERE sequence = $sequence");
            var parameter = delete.Parameters.Add("$sequence", Microsoft.Data.Sqlite.SqliteType.Integer);
            var deleted = 0;
            foreach (var sequence in sequences)
            {
                parameter.Value = sequence;
                deleted += delete.ExecuteNonQuery(); // 0 for one already dropped or acknowledged
            }
            Track(write, -deleted, 0);
        });
    }

    /// <summary>
    /// The outbox of LineWatch before the database, a JSON-lines log in <c>DataDir/outbox/outbox.log</c>: its pending
    /// messages are put here, in their order, and the log is renamed <c>outbox.log.imported</c> so it is read only once.
    /// Returns how many were imported (0 when there is no log). A crash between the commit and the rename imports them
    /// again at the next start: sent twice, which consumers de-duplicate by id, rather than lost. Nothing is imported
    /// while the database is in memory.
    /// </summary>
    public int ImportLegacyLog(string dataDir)
    {
        var path = LegacyOutboxLog.PathIn(dataDir);
        // Into a database in memory (the file could not be opened) the messages would not survive this run: the log waits.
        if (_database.InMemory || !File.Exists(path)) return 0;
        var messages = LegacyOutboxLog.ReadPending(path);
        using (var write = _database.BeginWrite())
        {
            foreach (var message in messages) Put(write, message);
            write.Commit();
        }
        File.Move(path, path + ".imported", overwrite: true);
        return messages.Count;
    }

    private void Track(DatabaseWrite write, int pendingChange, int dropped) => write.OnCommitted(() =>
    {
        Interlocked.Add(ref _pending, pendingChange);
        Interlocked.Add(ref _dropped, dropped);
    });
}
