namespace LineWatch.Tests.Configuration;

/// <summary>A configuration file in its own temporary folder, deleted with the test.</summary>
internal sealed class TempConfig : IDisposable
{
    public TempConfig(string json)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("linewatch-config-").FullName;
        Path = System.IO.Path.Combine(Directory, "linewatch.json");
        File.WriteAllText(Path, json);
    }

    public string Directory { get; }
    public string Path { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
