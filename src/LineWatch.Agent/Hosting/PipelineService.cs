using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.Processing;
using LineWatch.Record;
using LineWatch.Scoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>The window sinks, composed in order by <see cref="AgentHost"/>.</summary>
internal sealed record WindowSinks(IReadOnlyList<IWindowSink> All);

/// <summary>
/// Runs the analysis pipeline for the life of the agent, once the model is loaded. Without a model the agent
/// stays up (the reason is logged by the model service) and analyses nothing.
/// </summary>
internal sealed class PipelineService(AgentConfiguration config, CameraSlots slots, ModelService model, WindowSinks sinks, IAnalysisSwitch analysisSwitch,
    ClipRecorder clips, ProfileVersionStore versions, CameraControl control, ILoggerFactory loggers, ILogger<PipelineService> logger) : IHostedService, IDisposable
{
    private ProfileScorer? _scorer;

    public Pipeline? Pipeline { get; private set; }

    /// <summary>The live scorer (each camera's profile, its version and its regions); null until analysis started.</summary>
    public ProfileScorer? Scorer => _scorer;

    /// <summary>The running model's identity (profiles must match it); null until analysis started.</summary>
    public ModelIdentity? Identity { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var camera in config.Options.Cameras) RecordProfile(camera.Name);
        if (model.Model is null)
        {
            logger.LogWarning("Analysis not started: no model loaded");
            return Task.CompletedTask;
        }
        try
        {
            var identity = ModelIdentity.Of(config.Options.Model.Path);
            _scorer = new ProfileScorer(config.Options.DataDir, config.Options.Cameras, identity, loggers.CreateLogger<ProfileScorer>(), versions, slots.Capacity);
            Pipeline = new Pipeline(config.Options, config.CameraSources, model.Model, _scorer, sinks.All, loggers, analysisSwitch, clips.Recordings, slots);
            Identity = identity;
        }
        catch (Exception e) when (e is Inference.ModelLoadException or IOException or InvalidDataException)
        {
            logger.LogError("Analysis not started: {Reason}", e.Message);
            return Task.CompletedTask;
        }
        for (var i = 0; i < config.Options.Cameras.Count; i++) WarnIfUnscored(i);
        _scorer.Changed += control.OnProfileLoaded;
        Pipeline.Start();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Starts a camera that joined the configuration (new, or put back) in its slot, as start-up does: its profile versions
    /// reconciled, its profile loaded (or not, and said so), its clip recording made, then its capture. False when it
    /// did not start (no analysis running, or it is disabled or refused: the reason is its last error).
    /// </summary>
    public bool StartCamera(int slot, CameraOptions camera, CameraSource source)
    {
        clips.Open(slot);
        if (_scorer is null || Pipeline is null) return false;
        RecordProfile(camera.Name);
        _scorer.Open(slot, camera);
        WarnIfUnscored(slot);
        return Pipeline.StartCamera(slot, camera, source);
    }

    private void WarnIfUnscored(int slot)
    {
        if (_scorer!.ProfileOf(slot) is not null) return;
        var name = slots.Name(slot);
        logger.LogWarning("Camera {Camera} has no profile yet: its windows are analysed but not scored until `linewatch learn --camera {Camera}` makes one", name, name);
    }

    /// <summary>
    /// Before the scorer reads it: the camera's profile as a version (a profile from before versions existed becomes
    /// version 1) and whatever a crash left half done is finished.
    /// </summary>
    private void RecordProfile(string camera)
    {
        try
        {
            if (versions.Reconcile(camera) is { } current) logger.LogInformation("Camera {Camera}: profile version {Version} is current", camera, current.Id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            logger.LogError("Camera {Camera}: its profile versions cannot be read or repaired: {Reason}", camera, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, config.Options.ShutdownTimeoutSeconds / 2));
        Pipeline?.Stop(timeout);
        // Capture has stopped: clips being written end here, finished so that they play.
        clips.Stop(timeout);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Pipeline?.Dispose();
        _scorer?.Dispose();
    }
}
