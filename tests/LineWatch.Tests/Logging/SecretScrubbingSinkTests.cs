using LineWatch.Agent.Logging;
using LineWatch.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace LineWatch.Tests.Logging;

public class SecretScrubbingSinkTests
{
    private sealed class CollectingSink : ILogEventSink
    {
        public List<string> Lines { get; } = [];
        public void Emit(LogEvent logEvent) => Lines.Add(logEvent.RenderMessage() + " | " + logEvent.Exception);
    }

    [Fact]
    public void Secrets_from_the_configuration_never_reach_the_sink()
    {
        var options = new AgentOptions();
        options.Mqtt.Password = "hunter2-broker";
        options.Cameras.Add(new CameraOptions { Name = "c", Source = "rtsp://admin:cam%40pass@10.0.0.9/live" });
        var secrets = SecretValues.From(options);
        var collected = new CollectingSink();
        using var logger = new LoggerConfiguration().WriteTo.Sink(new SecretScrubbingSink(collected, secrets)).CreateLogger();

        logger.Information("connecting with {Password} to {Url}", "hunter2-broker", "rtsp://admin:cam%40pass@10.0.0.9/live");
        logger.Information("nested {@Settings}", new { User = "u", Pass = "hunter2-broker" });
        logger.Error(new InvalidOperationException("broker said no to hunter2-broker"), "failed");
        logger.Information("decoded form {Value}", "cam@pass");

        var all = string.Join("\n", collected.Lines);
        Assert.DoesNotContain("hunter2-broker", all);
        Assert.DoesNotContain("cam%40pass", all);
        Assert.DoesNotContain("cam@pass", all);
        Assert.Contains("***", all);
        Assert.Equal(4, collected.Lines.Count);
    }

    [Fact]
    public void The_uplink_and_fleet_broker_passwords_are_secrets_too()
    {
        var options = new AgentOptions();
        options.Mqtt.Uplink.Password = "central-bridge-pass";
        options.Fleet.Password = "fleet-viewer-pass";

        Assert.Equal(["central-bridge-pass", "fleet-viewer-pass"], SecretValues.From(options).Order());
    }

    [Fact]
    public void Short_or_empty_values_are_not_treated_as_secrets()
    {
        var options = new AgentOptions();
        options.Mqtt.Password = "ab";
        Assert.Empty(SecretValues.From(options));
    }
}
