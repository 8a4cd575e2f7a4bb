using System.CommandLine;
using LineWatch.Agent.Hosting;
using LineWatch.Agent.Logging;
using LineWatch.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch run`: the agent in the foreground until SIGTERM or Ctrl+C (this is what systemd runs).</summary>
internal static class RunCommand
{
    public static Command Create(Option<string?> config)
    {
        var command = new Command("run", "Run the agent until SIGTERM / Ctrl+C");
        command.SetAction(async (parse, _) =>
        {
            var configuration = ConfigLoading.TryLoad(parse.GetValue(config), Console.Error);
            if (configuration is null) return ExitCodes.InvalidConfiguration;

            using var logger = AgentLogging.ForAgent(configuration);
            var log = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "LineWatch.Agent");
            log.Information("LineWatch {Version} starting as agent {AgentId} (pid {Pid})", AppVersion.Current, configuration.Options.AgentId, Environment.ProcessId);
            try
            {
                using var host = AgentHost.Build(configuration, logger);
                // The host's console lifetime owns SIGTERM/SIGINT: it stops the services in reverse order within ShutdownTimeoutSeconds.
                await host.RunAsync();
                log.Information("LineWatch stopped");
                return ExitCodes.Ok;
            }
            catch (Exception e)
            {
                log.Fatal(e, "LineWatch stopped on an unexpected error");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
