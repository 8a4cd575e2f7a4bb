using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using LineWatch.Events;
using LineWatch.Processing;
using Serilog;

namespace LineWatch.Agent.Hosting;

/// <summary>Composes the running agent: configuration, logging and the hosted services, in start order.</summary>
internal static class AgentHost
{
    public static IHost Build(AgentConfiguration config, Serilog.Core.Logger logger)
    {
        // DisableDefaults: no appsettings.json or DOTNET_ variables of the host's own; our configuration is already loaded.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = config.Options.DataDir });
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: false);

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(config.Options.ShutdownTimeoutSeconds));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(config.Options);

        builder.Services.AddSingleton<ModelService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelService>());
        builder.Services.AddHostedService<StartupSummary>();
        builder.Services.AddSingleton(sp => new MqttPublisher(config.Options, ModelName(config.Options.Model.Path), sp.GetRequiredService<ILogger<MqttPublisher>>()));
        builder.Services.AddSingleton<IAlertSink>(sp => sp.GetRequiredService<MqttPublisher>());
        builder.Services.AddSingleton<MqttService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttService>());
        builder.Services.AddSingleton<AlertService>();
        builder.Services.AddSingleton<IWindowSink>(sp => sp.GetRequiredService<AlertService>());
        builder.Services.AddSingleton<PipelineService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());
        builder.Services.AddHostedService<MqttStatusReporter>();
        builder.Services.AddHostedService<SystemdNotifier>();
        return builder.Build();
    }

    /// <summary>How events name the model: the file's name, which says arch, size, frames and image size.</summary>
    private static string ModelName(string path) => Path.GetFileNameWithoutExtension(path);
}
