using LineWatch.Storage;
using Microsoft.Data.Sqlite;

namespace LineWatch.Tests.Storage;

public sealed class AgentDatabaseTests : IDisposable
{
    private readonly DatabaseFolder _dir = new();

    [Fact]
    public void A_new_database_is_in_wal_mode_with_full_synchronous_writes_and_the_current_schema_version()
    {
        using var database = _dir.Open();
        Assert.Equal("wal", database.Pragma("journal_mode"));
        Assert.Equal(2L, database.Pragma("synchronous")); // FULL
        Assert.Equal((long)AgentDatabase.SchemaVersion, database.Pragma("user_version"));
        Assert.True(File.Exists(_dir.DatabasePath));
    }

    [Fact]
    public void Reopening_keeps_the_schema_and_its_rows()
    {
        using (var database = _dir.Open())
        using (var write = database.BeginWrite())
        {
            using var insert = write.Command("INSERT INTO outbox (topic, payload, retain) VALUES ('t', x'01', 0)");
            insert.ExecuteNonQuery();
            write.Commit();
        }
        using var reopened = _dir.Open();
        Assert.Equal(1L, reopened.Read(c => new SqliteCommand("SELECT COUNT(*) FROM outbox", c).ExecuteScalar()));
    }

    [Fact]
    public void A_version_1_file_is_migrated_and_the_messages_waiting_in_it_stay_the_brokers()
    {
        using (var connection = new SqliteConnection($"Data Source={_dir.DatabasePath};Pooling=False"))
        {
            connection.Open();
            // The version-1 schema as LineWatch wrote it, with a message waiting.
            new SqliteCommand("""
                CREATE TABLE outbox (sequence INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL);
                CREATE TABLE alerts (id TEXT PRIMARY KEY, camera TEXT NOT NULL, started INTEGER NOT NULL, ended INTEGER, peak REAL NOT NULL,
                    severity TEXT NOT NULL, verdict TEXT, acknowledged INTEGER);
                CREATE TABLE alert_snapshots (alert_id TEXT PRIMARY KEY REFERENCES alerts (id) ON DELETE CASCADE, jpeg BLOB NOT NULL);
                INSERT INTO outbox (topic, payload, retain) VALUES ('lw/a/press/events', x'7B7D', 0);
                PRAGMA user_version = 1;
                """, connection).ExecuteNonQuery();
        }
        using var database = _dir.Open();
        Assert.Equal((long)AgentDatabase.SchemaVersion, database.Pragma("user_version"));
        var pending = new LineWatch.Comms.Mqtt.Outbox(database, 100).After(0, 10);
        Assert.Equal("lw/a/press/events", Assert.Single(pending).Topic);
        Assert.Empty(new LineWatch.Comms.Mqtt.Outbox(database, 100, LineWatch.Comms.Mqtt.Outbox.WebhookDestination("mes")).After(0, 10));
    }

    [Fact]
    public void A_database_of_a_newer_schema_is_refused_with_a_message_naming_the_file_and_versions()
    {
        using (var connection = new SqliteConnection($"Data Source={_dir.DatabasePath};Pooling=False"))
        {
            connection.Open();
            new SqliteCommand("PRAGMA user_version = 99", connection).ExecuteNonQuery();
        }
        var error = Assert.Throws<InvalidDataException>(() => _dir.Open());
        Assert.Contains(_dir.DatabasePath, error.Message);
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains($"this LineWatch's {AgentDatabase.SchemaVersion}", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_moved_aside_and_a_new_one_is_started()
    {
        File.WriteAllText(_dir.DatabasePath, new string('x', 8192));
        var log = new ListLogger();
        using (var database = AgentDatabase.Open(_dir.Path, log))
        {
            Assert.Equal((long)AgentDatabase.SchemaVersion, database.Pragma("user_version"));
        }
        var aside = Assert.Single(Directory.GetFiles(_dir.Path, AgentDatabase.FileName + ".damaged-*"));
        Assert.Equal(new string('x', 8192), File.ReadAllText(aside));
        Assert.Contains(log.Lines, l => l.Contains("cannot be read") && l.Contains(aside));
    }

    [Fact]
    public void A_write_disposed_without_a_commit_is_rolled_back_and_runs_no_commit_actions()
    {
        using var database = _dir.Open();
        var committed = 0;
        using (var write = database.BeginWrite())
        {
            using var insert = write.Command("INSERT INTO outbox (topic, payload, retain) VALUES ('t', x'01', 0)");
            insert.ExecuteNonQuery();
            write.OnCommitted(() => committed++);
        }
        Assert.Equal(0, committed);
        Assert.Equal(0L, database.Read(c => new SqliteCommand("SELECT COUNT(*) FROM outbox", c).ExecuteScalar()));
        using (var write = database.BeginWrite())
        {
            write.OnCommitted(() => committed++);
            write.Commit();
        }
        Assert.Equal(1, committed);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => Lines.Add(formatter(state, exception));
    }
}
