namespace LineWatch.Tests.Model;

/// <summary>The committed fixture files under tests/fixtures, found from the test assembly's folder.</summary>
internal static class Fixtures
{
    public static string Checkpoint(string name) => Path.Combine(Root, "tests", "fixtures", "checkpoints", name);

    public static string Npy(string name) => Path.Combine(Root, "tests", "fixtures", "npy", name);

    private static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LineWatch.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LineWatch.sln not found above " + AppContext.BaseDirectory);
    }
}
