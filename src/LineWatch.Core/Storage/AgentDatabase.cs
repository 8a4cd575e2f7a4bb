using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LineWatch.Storage;

/// <summary>
/// The agent's one SQLite database, <c>DataDir/linewatch.db</c>: the MQTT outbox and the alert history. WAL with
/// <c>synchronous=FULL</c>: a committed transaction is on disk (WAL fsynced) before <see cref="DatabaseWrite.Commit"/>
/// returns, so neither a crash nor a power cut loses it, and readers (the dashboard) never wait for the writer.
/// One connection writes, one transaction at a time (<see cref="BeginWrite"/>); every read opens its own pooled
/// connection. The schema's version is SQLite's <c>user_version</c>: an older file is migrated on open, a newer one
/// (written by a later LineWatch) is refused rather than misread.
/// </summary>
public sealed class AgentDatabase : IDisposable
{
    public const string FileName = "linewatch.db";

    /// <summary>The schema this code reads and writes; each step up is one block in <see cref="Migrate"/>.</summary>
    public const int SchemaVersion = 2;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeLock = new();
    private DiskReserve? _reserve;

    private AgentDatabase(string path, bool inMemory = false)
    {
        InMemory = inMemory;
        Path = inMemory ? $"memory (instead of {path})" : path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            // In memory: one database per instance, shared by its connections, gone when the last one closes.
            DataSource = inMemory ? $"linewatch-{Guid.NewGuid():N}" : path, Mode = inMemory ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Cache = inMemory ? SqliteCacheMode.Shared : SqliteCacheMode.Default, Pooling = true, ForeignKeys = true,
            DefaultTimeout = 30, // seconds a statement waits on a lock (a checkpoint) before it fails
        }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        try
        {
            // journal_mode is stored in the file; synchronous is per connection, and only this one writes.
            Execute(_writer, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            Migrate();
        }
        catch
        {
            _writer.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>The file could not be opened: this run keeps its history and outbox in memory (see <see cref="Open"/>).</summary>
    public bool InMemory { get; }

    /// <summary>
    /// Opens (or creates) the database in <paramref name="dataDir"/>. A file SQLite cannot read (damaged, or not a
    /// database) is moved aside as <c>linewatch.db.damaged-…</c> with an error, and a new one is started: the agent
    /// keeps alerting, and what the old file held is still there for someone to look at.
    /// A file that cannot be opened at all (a full disk where SQLite must create its WAL index, a read-only or
    /// unreadable folder) must not keep the agent from alerting either: it then runs on a database in memory for this
    /// run, with an error; the file, and the messages waiting in it, are used again by the next start that can.
    /// </summary>
    /// <exception cref="InvalidDataException">the file was written by a newer LineWatch (a schema this version does not know).</exception>
    /// <param name="reserveBytes">Space to hold beside the file for a full disk (<see cref="DiskReserve"/>); 0 for none.</param>
    public static AgentDatabase Open(string dataDir, ILogger logger, long reserveBytes = 0)
    {
        var database = OpenFile(dataDir, logger);
        if (reserveBytes > 0 && !database.InMemory)
        {
            database._reserve = new DiskReserve(database.Path + DiskReserve.Suffix, reserveBytes, logger);
            if (!database._reserve.Ensure())
            {
                logger.LogWarning("The disk of {Path} has less than twice the {Megabytes} MB reserve free: alerts raised when it fills may miss the database",
                    database.Path, reserveBytes / (1024 * 1024.0));
            }
        }
        return database;
    }

    /// <summary>The space kept for a full disk; null without one.</summary>
    public DiskReserve? Reserve => _reserve;

    private static AgentDatabase OpenFile(string dataDir, ILogger logger)
    {
        Directory.CreateDirectory(dataDir);
        var path = System.IO.Path.Combine(dataDir, FileName);
        try
        {
            return new AgentDatabase(path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB)
        {
            SqliteConnection.ClearAllPools();
            var aside = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                if (File.Exists(path + suffix)) File.Move(path + suffix, aside + suffix);
            }
            logger.LogError("Database {Path} cannot be read ({Reason}); moved to {Aside} and started anew: the alert history and the messages waiting for the broker that it held are not used",
                path, e.Message, aside);
            return new AgentDatabase(path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN
                                           or SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_PERM)
        {
            SqliteConnection.ClearAllPools();
            logger.LogError("Database {Path} cannot be opened ({Reason}): the alert history and the MQTT outbox are kept in memory until the agent is restarted with the file usable; what the file holds waits there for that start",
                path, e.Message);
            return new AgentDatabase(path, inMemory: true);
        }
    }

    /// <summary>
    /// Starts the one write transaction: waits for any other writer, and holds the write lock until the returned
    /// write is disposed. Dispose it on the thread that began it.
    /// </summary>
    public DatabaseWrite BeginWrite()
    {
        _writeLock.Enter();
        try
        {
            return new DatabaseWrite(_writer, _writer.BeginTransaction(), _writeLock);
        }
        catch
        {
            _writeLock.Exit();
            throw;
        }
    }

    /// <summary>
    /// One write transaction: <paramref name="work"/> within it, then the commit. When the disk is full, the reserve is
    /// given up and the work done again, once; so <paramref name="work"/> must only touch the database and register what
    /// memory learns of it with <see cref="DatabaseWrite.OnCommitted"/>.
    /// </summary>
    /// <exception cref="SqliteException">the write failed (a full disk without a reserve to give up, among others).</exception>
    public T Write<T>(Func<DatabaseWrite, T> work)
    {
        T result;
        try
        {
            result = WriteOnce(work);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_FULL && _reserve?.Release() == true)
        {
            result = WriteOnce(work);
        }
        _reserve?.RestoreIfReleased();
        return result;
    }

    /// <inheritdoc cref="Write{T}(Func{DatabaseWrite, T})"/>
    public void Write(Action<DatabaseWrite> work) => Write<object?>(write =>
    {
        work(write);
        return null;
    });

    private T WriteOnce<T>(Func<DatabaseWrite, T> work)
    {
        using var write = BeginWrite();
        var result = work(write);
        write.Commit();
        return result;
    }

    /// <summary>A read on a connection of its own (WAL: it sees the last commit, and neither waits for nor blocks the writer).</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return read(connection);
    }

    /// <summary>A pragma's value as the writing connection sees it (journal_mode, synchronous, user_version...).</summary>
    internal object? Pragma(string name)
    {
        lock (_writeLock)
        {
            using var command = _writer.CreateCommand();
            command.CommandText = $"PRAGMA {name}";
            return command.ExecuteScalar();
        }
    }

    /// <summary>
    /// Brings the schema to <see cref="SchemaVersion"/>, in one transaction. Version 1: the outbox (AUTOINCREMENT, so a
    /// sequence number is never used twice, even after the table emptied), the alerts and their snapshots. Version 2: each
    /// outbox row names its destination (<c>mqtt</c>, or <c>webhook:NAME</c>), so webhook deliveries wait in the same outbox;
    /// and each camera's streaming time per shift, for the shift summary.
    /// </summary>
    private void Migrate()
    {
        // Read first, outside a transaction: a database that is up to date is not written to at all (a full disk can open it).
        var version = Convert.ToInt32(Scalar(_writer, "PRAGMA user_version", null));
        if (version > SchemaVersion)
        {
            throw new InvalidDataException($"{Path} has schema version {version}, newer than this LineWatch's {SchemaVersion}: it was written by a newer version. " +
                "Run that version, or move the file away to start with an empty alert history and outbox.");
        }
        if (version == SchemaVersion) return;
        using var transaction = _writer.BeginTransaction();
        if (version < 1)
        {
            Execute(_writer, transaction, """
                CREATE TABLE outbox (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    topic    TEXT    NOT NULL,
                    payload  BLOB    NOT NULL,
                    retain   INTEGER NOT NULL);
                CREATE TABLE alerts (
                    id           TEXT    PRIMARY KEY,
                    camera       TEXT    NOT NULL,
                    started      INTEGER NOT NULL, -- Unix milliseconds, UTC
                    ended        INTEGER,
                    peak         REAL    NOT NULL,
                    severity     TEXT    NOT NULL,
                    verdict      TEXT,
                    acknowledged INTEGER);
                CREATE INDEX alerts_by_start ON alerts (started, id);
                CREATE INDEX alerts_by_camera ON alerts (camera, started, id);
                CREATE TABLE alert_snapshots (
                    alert_id TEXT PRIMARY KEY REFERENCES alerts (id) ON DELETE CASCADE,
                    jpeg     BLOB NOT NULL);
                """);
        }
        if (version < 2)
        {
            // The rows of a version-1 file were all for the broker.
            Execute(_writer, transaction, """
                ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT 'mqtt';
                CREATE INDEX outbox_by_destination ON outbox (destination, sequence);
                CREATE TABLE camera_uptime (
                    shift_start INTEGER NOT NULL, -- Unix milliseconds, UTC
                    camera      TEXT    NOT NULL,
                    seconds     REAL    NOT NULL,
                    PRIMARY KEY (shift_start, camera));
                """);
        }
        // A later version adds its step here: if (version < 3) { ... }
        Execute(_writer, transaction, $"PRAGMA user_version = {SchemaVersion}");
        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        lock (_writeLock) _writer.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}
