using System.CommandLine;

namespace LineWatch.Agent.Cli;

/// <summary>--config FILE, shared by every verb that needs the configuration, and where it falls back to.</summary>
internal static class ConfigOption
{
    public const string EnvironmentVariable = "LINEWATCH_CONFIG";
    public const string SystemPath = "/etc/linewatch/linewatch.json";

    public static Option<string?> Create() => new("--config", "-c")
    {
        Description = $"Configuration file (default: ${EnvironmentVariable}, else {SystemPath})",
        Recursive = true,
    };

    /// <summary>The file to load, or null with nothing to fall back to.</summary>
    public static string? Resolve(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given;
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        return File.Exists(SystemPath) ? SystemPath : null;
    }
}
