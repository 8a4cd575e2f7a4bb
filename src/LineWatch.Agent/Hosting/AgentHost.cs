using LineWatch.Agent.Dashboard;
using LineWatch.Comms.Mqtt;
using LineWatch.Comms.Webhooks;
using LineWatch.Configuration;
using LineWatch.Control;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using LineWatch.Events;
using LineWatch.Processing;
using LineWatch.Record;
using LineWatch.Scoring;
using LineWatch.Storage;
using Serilog;

namespace LineWatch.Agent.Hosting;

/// <summary>Composes the running agent: configuration, logging and the hosted services, in start order.</summary>
internal static class AgentHost
{
    public static IHost Build(AgentConfiguration config, Serilog.Core.Logger logger)
    {
        // DisableDefaults: no appsettings.json or DOTNET_ variables of the host's own; our configuration is already loaded.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = config.Options.DataDir });
        builder.Services.AddSerilog(logger, dispose: false);

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(config.Options.ShutdownTimeoutSeconds));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(config.Options);
        // Which camera runs in which slot: every per-camera structure below is laid out for its capacity, so a camera
        // added to the file later starts without a restart.
        var slots = new CameraSlots(config.Options);
        builder.Services.AddSingleton(slots);

        builder.Services.AddSingleton<ModelService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelService>());
        builder.Services.AddHostedService<StartupSummary>();
        // The outbox and the alert history: one SQLite database in DataDir, disposed after everything that uses it.
        builder.Services.AddSingleton(sp => AgentDatabase.Open(config.Options.DataDir, sp.GetRequiredService<ILogger<AgentDatabase>>(),
            config.Options.History.DiskReserveMB * 1024L * 1024));
        builder.Services.AddSingleton(sp => new MqttPublisher(config.Options, ModelName(config.Options.Model.Path), sp.GetRequiredService<AgentDatabase>(),
            sp.GetRequiredService<ILogger<MqttPublisher>>()));
        builder.Services.AddSingleton(sp => new AlertHistory(sp.GetRequiredService<AgentDatabase>(), config.Options.History));
        builder.Services.AddHostedService<HistoryRetention>();
        builder.Services.AddSingleton(sp => new WebhookDispatcher(config.Options, ModelName(config.Options.Model.Path), sp.GetRequiredService<AgentDatabase>(),
            sp.GetRequiredService<ILogger<WebhookDispatcher>>()));
        builder.Services.AddSingleton(sp => new AlertJournal(sp.GetRequiredService<AgentDatabase>(), sp.GetRequiredService<AlertHistory>(),
            [sp.GetRequiredService<MqttPublisher>(), sp.GetRequiredService<WebhookDispatcher>()], sp.GetRequiredService<ILogger<AlertJournal>>()));
        builder.Services.AddSingleton<MqttService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttService>());
        builder.Services.AddHostedService<WebhookService>();
        // Event clips: the pre-roll per camera, a writer per camera, and the files with their retention.
        builder.Services.AddSingleton(sp => new ClipStore(config.Options.DataDir, config.Options.Clips, sp.GetRequiredService<ILogger<ClipStore>>()));
        builder.Services.AddSingleton<ClipRecorder>();
        // Where alert events go: the journal (history, MQTT and webhook outboxes in one transaction, then sent); the clip
        // recorder first, for the end's link.
        builder.Services.AddSingleton(sp => new AlertService(config.Options, [sp.GetRequiredService<AlertJournal>()], sp.GetRequiredService<ILogger<AlertService>>(),
            sp.GetRequiredService<ClipRecorder>(), sp.GetRequiredService<ProfileVersionStore>(), slots));
        builder.Services.AddSingleton(sp => new CameraSwitches(config.Options.DataDir, slots, sp.GetRequiredService<ILogger<CameraSwitches>>()));
        builder.Services.AddSingleton<IAnalysisSwitch>(sp => sp.GetRequiredService<CameraSwitches>());
        builder.Services.AddSingleton(sp => new LiveLearning(config.Options, () => sp.GetRequiredService<PipelineService>().Identity,
            sp.GetRequiredService<ILogger<LiveLearning>>(), sp.GetRequiredService<ProfileVersionStore>(), slots));
        // One store of profile versions: learning, feedback, rollbacks and the scorer share its cache of hashes.
        builder.Services.AddSingleton(new ProfileVersionStore(config.Options.DataDir, config.Options.Learning.KeepVersions));
        builder.Services.AddSingleton<CameraControl>();
        builder.Services.AddSingleton<PipelineService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());
        // Alert policy and regions from the edited file, once analysis runs (it needs the model's grid).
        builder.Services.AddSingleton<ConfigReloadService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfigReloadService>());
        builder.Services.AddSingleton<MqttCommandListener>();
        builder.Services.AddSingleton<HomeAssistantDiscovery>();
        var timeline = new ScoreTimeline(slots.Capacity);
        slots.Reused += (slot, _) => timeline.Forget(slot);
        builder.Services.AddSingleton(timeline);
        // Where every scored window goes, in this order: alerts first (latency), then live learning, the chart, the clips' heatmap.
        builder.Services.AddSingleton(sp => new WindowSinks(
            [sp.GetRequiredService<AlertService>(), sp.GetRequiredService<LiveLearning>(), sp.GetRequiredService<ScoreTimeline>(), sp.GetRequiredService<ClipRecorder>()]));
        builder.Services.AddSingleton<AgentStatus>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentStatus>());
        builder.Services.AddHostedService<MqttStatusReporter>();
        builder.Services.AddSingleton(ShiftCalendar.From(config.Options.Shifts));
        builder.Services.AddSingleton<UptimeLedger>();
        builder.Services.AddSingleton(sp => new ShiftReport(sp.GetRequiredService<ShiftCalendar>(), sp.GetRequiredService<AlertHistory>(),
            sp.GetRequiredService<UptimeLedger>(), () => slots.Configured().Select(i => slots.Name(i)!).ToArray()));
        builder.Services.AddHostedService<ShiftSummaryService>();
        builder.Services.AddSingleton<FleetService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FleetService>());
        builder.Services.AddSingleton<RegionsApi>();
        builder.Services.AddSingleton<DashboardApi>();
        builder.Services.AddHostedService<DashboardServer>();
        builder.Services.AddHostedService<SystemdNotifier>();
        return builder.Build();
    }

    /// <summary>How events name the model: the file's name, which says arch, size, frames and image size.</summary>
    private static string ModelName(string path) => Path.GetFileNameWithoutExtension(path);
}
