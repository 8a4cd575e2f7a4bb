using LineWatch.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>One block of log lines at start and one at stop, so a log file says what this run was configured with.</summary>
internal sealed class StartupSummary(AgentConfiguration config, ModelService model, IHostApplicationLifetime lifetime, ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = config.Options;
        logger.LogInformation("Configuration {ConfigFile}; data directory {DataDir}", config.FilePath, options.DataDir);
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var source = config.CameraSources[i];
            logger.LogInformation("Camera {Camera}: {Kind} {Source}, analysis {Fps} fps{Disabled}",
                camera.Name, source.Kind.ToString().ToLowerInvariant(), source.Display, camera.AnalysisFps, camera.Enabled ? "" : " (disabled)");
        }
        if (options.Cameras.Count == 0) logger.LogWarning("No cameras configured");
        logger.LogInformation("Model {ModelPath} on {Provider}", options.Model.Path, model.Model?.ExecutionProvider ?? "(not loaded)");
        var mqtt = options.Mqtt;
        logger.LogInformation("MQTT broker: {Mode} {Host}:{Port}, MQTT {Protocol}, TLS {Tls}, credentials {Credentials}, topic prefix {Prefix}",
            mqtt.Mode.ToString().ToLowerInvariant(), mqtt.Host, mqtt.Port, mqtt.ProtocolVersion, mqtt.Tls.Enabled ? "on" : "off",
            mqtt.Username.Length > 0 ? "user " + mqtt.Username : "none", mqtt.TopicPrefix);
        logger.LogInformation("Dashboard {Urls}, auth {Auth}", options.Dashboard.Enabled ? options.Dashboard.Urls : "disabled",
            options.Dashboard.Auth.Mode.ToString().ToLowerInvariant());
        lifetime.ApplicationStarted.Register(() => logger.LogInformation("LineWatch started"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("LineWatch stopping");
        return Task.CompletedTask;
    }
}
