using System.Reflection;

namespace LineWatch.IntegrationTests.Support;

/// <summary>Where the built agent and the real test footage (Debian opencv-doc) are.</summary>
internal static class TestPaths
{
    public const string FootageDir = "/usr/share/doc/opencv-doc/examples/data";
    public static string Vtest => Path.Combine(FootageDir, "vtest.avi");
    public static string MegamindBuggy => Path.Combine(FootageDir, "Megamind_bugy.avi");

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Outputs of our PyTorch reference (tests/reference/videomamba_reference.py) and its checkpoint.</summary>
    public static string Reference(string file) => Path.Combine(RepositoryRoot, "tests", "fixtures", "reference", file);

    /// <summary>The linewatch executable of the same configuration (Debug/Release) as the tests.</summary>
    public static string Agent
    {
        get
        {
            var configuration = typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "Configuration").Value!;
            var path = Path.Combine(RepositoryRoot, "src", "LineWatch.Agent", "bin", configuration, "net10.0", "linewatch");
            return File.Exists(path) ? path : throw new FileNotFoundException("the agent is not built", path);
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LineWatch.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LineWatch.sln not found above " + AppContext.BaseDirectory);
    }
}
