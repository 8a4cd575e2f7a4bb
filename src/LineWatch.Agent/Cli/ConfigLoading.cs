using LineWatch.Configuration;

namespace LineWatch.Agent.Cli;

/// <summary>Loads the configuration for a verb, printing every problem (each naming its key) on failure.</summary>
internal static class ConfigLoading
{
    public static AgentConfiguration? TryLoad(string? given, TextWriter error)
    {
        var path = ConfigOption.Resolve(given);
        if (path is null)
        {
            error.WriteLine($"linewatch: no configuration file: pass --config FILE or set {ConfigOption.EnvironmentVariable}");
            return null;
        }
        try
        {
            return AgentConfiguration.Load(path);
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"linewatch: {e.Message}");
            return null;
        }
    }
}
