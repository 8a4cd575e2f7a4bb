using Microsoft.Data.Sqlite;

namespace LineWatch.Storage;

/// <summary>
/// One write transaction on the <see cref="AgentDatabase"/>, holding its write lock until disposed. What callers keep
/// in memory about the rows (counts, listeners) is changed in <see cref="OnCommitted"/> actions, run only when the commit
/// succeeded and before the next writer can start, so memory is never ahead of the disk nor behind the next write.
/// Keep them short (a counter, a wake-up). Disposed without a commit, the transaction is rolled back.
/// </summary>
public sealed class DatabaseWrite : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly Lock _writeLock;
    private readonly List<Action> _committed = [];
    private bool _isCommitted, _disposed;

    internal DatabaseWrite(SqliteConnection connection, SqliteTransaction transaction, Lock writeLock) =>
        (_connection, _transaction, _writeLock) = (connection, transaction, writeLock);

    /// <summary>A command inside this transaction.</summary>
    public SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs <paramref name="action"/> once this transaction is committed, still under the write lock.</summary>
    public void OnCommitted(Action action) => _committed.Add(action);

    /// <summary>Commits: the changes are on disk when this returns.</summary>
    public void Commit()
    {
        _transaction.Commit();
        _isCommitted = true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _transaction.Dispose(); // rolls back when not committed
            if (_isCommitted) foreach (var action in _committed) action();
        }
        finally
        {
            _writeLock.Exit();
        }
    }
}
