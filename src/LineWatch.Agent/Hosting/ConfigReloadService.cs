using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.Events;
using LineWatch.Scoring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Watches the configuration file and puts a new version in force without a restart where it can: the alert
/// policy, cameras' regions, a camera removed from the file (its alert ends, its capture stops, it leaves the listings;
/// the others run on), a camera added (it takes a free camera slot, or the slot of the camera removed longest ago, and
/// starts like the cameras of start-up; with every slot held by a configured camera it waits, and starts once a removal
/// frees one) or put back (it starts again in its old slot, if no new camera took it), and a camera's capture settings
/// (that camera alone restarts) (<see cref="ConfigChange"/>).
/// Events are debounced, since an editor's save is several of them.
/// A version that does not load is rejected with its errors logged by key, and the agent keeps the one it runs; keys
/// that only a restart applies are logged as such. The dashboard's edits come through <see cref="Apply"/>.
/// </summary>
internal sealed class ConfigReloadService(AgentConfiguration initial, CameraSlots slots, AlertService alerts, PipelineService pipeline, CameraControl control,
    ILogger<ConfigReloadService> logger) : IHostedService, IDisposable
{
    /// <summary>Quiet time after the last file event before the file is read.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly string _path = initial.FilePath;
    private AgentConfiguration _current = initial;
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;

    /// <summary>The configuration in force (the file's latest accepted version).</summary>
    public AgentConfiguration Current
    {
        get { lock (_lock) return _current; }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _debounce = new Timer(_ => ReloadFile(), null, Timeout.Infinite, Timeout.Infinite);
        var path = _path;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        // A save by rename (editors, AtomicFile) shows as Renamed or Created, an in-place one as Changed.
        _watcher.Changed += (_, _) => Touched();
        _watcher.Created += (_, _) => Touched();
        _watcher.Renamed += (_, _) => Touched();
        _watcher.Error += (_, e) => logger.LogWarning("Watching {File} for changes failed ({Reason}); edits apply after a restart until it recovers", path, e.GetException().Message);
        _watcher.EnableRaisingEvents = true;
        return Task.CompletedTask;
    }

    private void Touched() => _debounce?.Change(Debounce, Timeout.InfiniteTimeSpan);

    private void ReloadFile()
    {
        AgentConfiguration next;
        try
        {
            next = AgentConfiguration.Load(_path);
        }
        catch (ConfigurationException e)
        {
            logger.LogError("Configuration change rejected; the agent keeps running on the previous configuration. {Errors}", string.Join("; ", e.Errors));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Configuration change not read ({Reason}); the agent keeps running on the previous configuration", e.Message);
            return;
        }
        var errors = Apply(next);
        if (errors.Count > 0) logger.LogError("Configuration change rejected; the agent keeps running on the previous configuration. {Errors}", string.Join("; ", errors));
    }

    /// <summary>
    /// Puts <paramref name="next"/> in force as far as it can be without a restart. Returns the problems that make it
    /// unusable with the running model (regions that leave nothing on its grid); then nothing is applied.
    /// </summary>
    public IReadOnlyList<ConfigError> Apply(AgentConfiguration next)
    {
        lock (_lock)
        {
            var change = ConfigChange.Between(_current.Options, next.Options);
            var errors = new List<ConfigError>();
            if (pipeline.Pipeline?.Shape.Grid is { } grid)
            {
                for (var i = 0; i < next.Options.Cameras.Count; i++)
                {
                    RegionRules.CheckCoverage(next.Options.Cameras[i].Regions, $"Cameras:{i}:Regions", grid, errors);
                }
            }
            if (errors.Count > 0) return errors;
            _current = next;
            if (change.IsEmpty) return errors;
            if (change.Alerts)
            {
                alerts.SetOptions(next.Options.Alerts);
                var a = next.Options.Alerts;
                logger.LogInformation("Configuration change applied: Alerts (OnScore {On}, OffScore {Off}, MinWindows {Min}, FastScore {Fast}, FastWindows {FastWindows}, CooldownSeconds {Cooldown}, CriticalScore {Critical})",
                    a.OnScore, a.OffScore, a.MinWindows, a.FastScore, a.FastWindows, a.CooldownSeconds, a.CriticalScore);
            }
            foreach (var (camera, regions) in change.Regions)
            {
                if (slots.SlotOf(camera) is not { } index) continue;
                slots.Update(index, next.Options.Cameras.First(c => c.Name.Equals(camera, StringComparison.OrdinalIgnoreCase)));
                pipeline.Scorer?.SetRegions(index, regions);
                var scored = pipeline.Pipeline?.Shape.Grid is { } g ? $"{RegionMask.Build(regions, g).ScoredCount} of {g * g} patches scored" : "not analysing";
                logger.LogInformation("Configuration change applied: camera {Camera} regions ({Count} region(s), {Scored})", camera, regions.Count, scored);
            }
            foreach (var camera in change.Removed)
            {
                if (slots.SlotOf(camera) is not { } index || !slots.IsConfigured(index)) continue;
                // Alerts first: an alert in progress ends now rather than never.
                alerts.SetSuspended(index, true);
                pipeline.Pipeline?.StopCamera(index, "removed from the configuration", TimeSpan.FromSeconds(5));
                // Then it leaves the listings (dashboard, /api/state, MQTT: its retained topics are cleared).
                slots.Release(index);
                logger.LogInformation("Configuration change applied: camera {Camera} removed; its capture stopped and it is no longer listed", camera);
            }
            foreach (var (position, camera, keys) in change.Recaptured)
            {
                if (slots.SlotOf(camera) is not { } index) continue;
                var settings = next.Options.Cameras[position];
                slots.Update(index, settings);
                alerts.SetSuspended(index, true);
                pipeline.Pipeline?.StopCamera(index, settings.Enabled ? "restarting with its new settings" : "disabled in the configuration", TimeSpan.FromSeconds(5));
                if (settings.Enabled && pipeline.Pipeline?.StartCamera(index, settings, next.CameraSources[position]) == true) control.Resume(index);
                logger.LogInformation("Configuration change applied: camera {Camera} restarted alone for {Keys}", camera, string.Join(", ", keys));
            }
            // Cameras joining last, so that one refused earlier and starting now does so once, with this version's settings.
            if (change.Removed.Count > 0) StartWaiting(next, change);
            foreach (var (position, _) in change.Added) Add(position, next.Options.Cameras[position], next.CameraSources[position], waited: false);
            foreach (var key in change.NeedRestart)
            {
                logger.LogWarning("Configuration change of {Key} takes effect after a restart; the agent runs on the previous value until then", key);
            }
            return errors;
        }
    }

    /// <summary>
    /// The cameras of the file refused earlier for want of a slot (in it, not new in this version, holding none): a removal
    /// freed one, so they start now, in file order, before any camera new in this version.
    /// </summary>
    private void StartWaiting(AgentConfiguration next, ConfigChange change)
    {
        for (var i = 0; i < next.Options.Cameras.Count; i++)
        {
            var camera = next.Options.Cameras[i];
            if (change.Added.Any(a => a.Index == i) || slots.SlotOf(camera.Name) is { } held && slots.IsConfigured(held)) continue;
            Add(i, camera, next.CameraSources[i], waited: true);
        }
    }

    /// <summary>
    /// A camera that joins the configuration: back in its slot, or in a free one (one never used, or a removed camera's);
    /// with none free it waits for a removal (<see cref="StartWaiting"/>), and says so.
    /// </summary>
    /// <param name="waited">Whether it was refused before and waited for a slot.</param>
    private void Add(int position, CameraOptions camera, CameraSource source, bool waited)
    {
        var returning = slots.SlotOf(camera.Name) is not null;
        if (slots.Take(camera) is not { } slot)
        {
            if (waited) logger.LogWarning("Camera {Camera} still waits for a camera slot: all {Capacity} hold cameras in the configuration", camera.Name, slots.Capacity);
            else logger.LogError("Configuration change of Cameras:{Index} (camera {Camera} added) not applied: all {Capacity} camera slots are taken by cameras in the "
                + "configuration (MaxCameras as the agent started with; a new value takes effect after a restart); the camera starts by itself once one is "
                + "removed from the file, or after a restart", position, camera.Name, slots.Capacity);
            return;
        }
        var started = pipeline.StartCamera(slot, camera, source);
        control.Resume(slot);
        var capture = started ? "its capture started" : pipeline.Pipeline is null ? "not captured: analysis is not running" : $"not captured: {pipeline.Pipeline.Stats(slot)?.LastError}";
        var whose = returning || slots.Previous(slot) is not { } previous ? "" : $" (camera {previous}'s, removed)";
        if (returning) logger.LogInformation("Configuration change applied: camera {Camera} back in the configuration; {Capture}", camera.Name, capture);
        else if (waited) logger.LogInformation("Configuration change applied: camera {Camera}, waiting for a free slot, started in slot {Slot} of {Capacity}{Whose}; {Capture}",
            camera.Name, slot, slots.Capacity, whose, capture);
        else logger.LogInformation("Configuration change applied: camera {Camera} added in slot {Slot} of {Capacity}{Whose}; {Capture}", camera.Name, slot, slots.Capacity, whose, capture);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _watcher = null;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }
}
