namespace LineWatch.Agent.Benchmarks;

/// <summary>A temporary folder for the models a benchmark builds, removed afterwards.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("linewatch-bench-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
