using LineWatch.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Tests.Storage;

/// <summary>A temporary data directory for a real <see cref="AgentDatabase"/> file, opened (and reopened, as after a restart) by the test.</summary>
internal sealed class DatabaseFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("linewatch-db-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string DatabasePath => File(AgentDatabase.FileName);

    public AgentDatabase Open() => AgentDatabase.Open(Path, NullLogger.Instance);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
