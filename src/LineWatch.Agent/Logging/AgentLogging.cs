using LineWatch.Configuration;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Settings.Configuration;

namespace LineWatch.Agent.Logging;

/// <summary>
/// Serilog for the agent: readable console lines, and a rolling file under DataDir/logs in Serilog's compact
/// JSON (one object a line, message rendered as "@m"), which log shippers read as it is.
/// Levels come from the Serilog section of the configuration (MinimumLevel, Override).
/// </summary>
internal static class AgentLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static Serilog.Core.Logger ForAgent(AgentConfiguration config)
    {
        var logDirectory = Path.Combine(config.Options.DataDir, "logs");
        Directory.CreateDirectory(logDirectory);
        var secrets = SecretValues.From(config.Options);
        var readerOptions = new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly, typeof(FileLoggerConfigurationExtensions).Assembly)
        {
            SectionName = "Serilog",
        };
        return new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .ReadFrom.Configuration(config.Root, readerOptions)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("AgentId", config.Options.AgentId)
            .WriteTo.Sink(new SecretScrubbingSink(
                new LoggerConfiguration().MinimumLevel.Verbose()
                    .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
                    .WriteTo.File(new RenderedCompactJsonFormatter(), Path.Combine(logDirectory, "linewatch-.json"),
                        rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 64L * 1024 * 1024,
                        rollOnFileSizeLimit: true, flushToDiskInterval: TimeSpan.FromSeconds(1))
                    .CreateLogger(),
                secrets))
            .CreateLogger();
    }

    /// <summary>For one-shot verbs (check, version): warnings and errors on the console, nothing on disk.</summary>
    public static Serilog.Core.Logger ForCommand(IReadOnlyList<string> secrets) =>
        new LoggerConfiguration()
            .MinimumLevel.Warning()
            .WriteTo.Sink(new SecretScrubbingSink(
                new LoggerConfiguration().WriteTo.Console(outputTemplate: "{Level:u3}: {Message:lj}{NewLine}", standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateLogger(),
                secrets))
            .CreateLogger();
}
