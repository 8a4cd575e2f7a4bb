using LineWatch.Storage;
using Microsoft.Data.Sqlite;

namespace LineWatch.IntegrationTests.Support;

/// <summary>Reads an agent's database from outside the agent (read-only, as a backup script or an auditor would).</summary>
internal static class AgentDatabaseFile
{
    public static long Count(string dataDir, string table) => Read(dataDir, c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    });

    public static T Read<T>(string dataDir, Func<SqliteConnection, T> read)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, AgentDatabase.FileName)};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return read(connection);
    }
}
