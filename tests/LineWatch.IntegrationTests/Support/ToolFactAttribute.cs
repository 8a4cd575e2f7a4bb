namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A test that needs a program on the PATH (a cross compiler, an emulator): it runs where the program is
/// installed and is reported as skipped with the reason elsewhere, never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool, string package)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)))) Skip = $"needs {tool} (Debian package {package})";
    }
}
