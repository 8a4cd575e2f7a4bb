using System.CommandLine;
using LineWatch.Agent.Cli;

var config = ConfigOption.Create();
var root = new RootCommand("LineWatch: real-time video anomaly detection for production lines")
{
    config,
    RunCommand.Create(config),
    CheckCommand.Create(config),
    VersionCommand.Create(),
    ModelCommand.Create(),
    BenchCommand.Create(),
    DemoVideoCommand.Create(),
    LearnCommand.Create(config),
    ProfileCommand.Create(config),
    EvalCommand.Create(config),
    HashPasswordCommand.Create(),
    FleetCommand.Create(),
};

// No termination handling here: `run` hands SIGTERM to the host, which shuts down in order.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
