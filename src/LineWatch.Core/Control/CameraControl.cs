using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Scoring;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LineWatch.Control;

/// <summary>
/// Applies operators' and integrators' commands to the running agent — switching analysis, live learning,
/// feedback on alerts, profile rollbacks — whichever way they arrive (MQTT or dashboard), and keeps alerting
/// consistent with them: a camera that is switched off or learning raises no alerts.
/// </summary>
public sealed class CameraControl
{
    private readonly CameraSwitches _switches;
    private readonly LiveLearning _learning;
    private readonly AlertService _alerts;
    private readonly AlertHistory _history;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly CameraSlots _slots;

    /// <param name="slots">The agent's camera slots; null for the configured cameras alone.</param>
    public CameraControl(AgentOptions options, CameraSwitches switches, LiveLearning learning, AlertService alerts, AlertHistory history, ILogger<CameraControl> logger,
        ProfileVersionStore? versions = null, CameraSlots? slots = null)
    {
        (_switches, _learning, _alerts, _history, _logger) = (switches, learning, alerts, history, logger);
        Versions = versions ?? new ProfileVersionStore(options.DataDir, options.Learning.KeepVersions);
        _slots = slots ?? new CameraSlots(options);
        foreach (var camera in _slots.Configured()) Resume(camera);
        _learning.Full += camera => Task.Run(() => Apply(new SetLearning(camera, Start: false)));
    }

    /// <summary>The configured cameras' slots, in slot order (the indexes commands and the other methods take).</summary>
    public IReadOnlyList<int> Cameras => _slots.Configured();

    /// <summary>The name of the camera in a slot.</summary>
    public string Name(int camera) => _slots.Name(camera) ?? throw new ArgumentOutOfRangeException(nameof(camera), $"no camera in slot {camera}");

    /// <summary>The cameras' profile versions (listing and comparing need no command).</summary>
    public ProfileVersionStore Versions { get; }

    /// <summary>Raised after a command changed a camera's feature (the MQTT state topic and the dashboard follow it).</summary>
    public event Action<int, CameraFeature>? Changed;

    /// <summary>The slot of a configured camera; -1 for a name not in the configuration.</summary>
    public int IndexOf(string camera) => _slots.IndexOf(camera);

    /// <summary>A camera (back) in the configuration alerts unless it is switched off or learning.</summary>
    public void Resume(int camera) => _alerts.SetSuspended(camera, !_switches.IsAnalysing(camera) || _learning.IsLearning(camera));

    public bool IsEnabled(int camera) => _switches.IsAnalysing(camera);

    /// <summary>The scorer (re)loaded a camera's profile, whoever changed it (a command here, or `linewatch profile rollback` in another process).</summary>
    public void OnProfileLoaded(int camera) => Changed?.Invoke(camera, CameraFeature.Profile);

    public LearningStatus Learning(int camera) => _learning.Status(camera);

    public CommandOutcome Apply(CameraCommand command)
    {
        if (!_slots.IsConfigured(command.Camera)) return CommandOutcome.Refused($"unknown camera index {command.Camera}");
        CommandOutcome outcome;
        lock (_lock)
        {
            outcome = command switch
            {
                SetEnabled c => Enable(c.Camera, c.Enabled),
                SetLearning { Start: true } c => StartLearning(c.Camera),
                SetLearning c => StopLearning(c.Camera, c.By),
                GiveFeedback c => Feedback(c),
                RollbackProfile c => Rollback(c),
                UndoFeedback c => Undo(c),
                _ => CommandOutcome.Refused($"unsupported command {command.GetType().Name}"),
            };
        }
        // A refused stop still ends the learning session, so its state changed too.
        if (outcome.Applied || command is SetLearning { Start: false }) Changed?.Invoke(command.Camera, command.Feature);
        // Learning and feedback make profile versions too.
        if (outcome.Applied && command is SetLearning { Start: false } or GiveFeedback { Verdict: AlertVerdict.FalseAlarm }) Changed?.Invoke(command.Camera, CameraFeature.Profile);
        return outcome;
    }

    private CommandOutcome Enable(int camera, bool enabled)
    {
        _switches.SetEnabled(camera, enabled);
        _alerts.SetSuspended(camera, !enabled || _learning.IsLearning(camera));
        _logger.LogInformation("Camera {Camera}: analysis switched {State}", Name(camera), enabled ? "on" : "off");
        return CommandOutcome.Ok(enabled ? "ON" : "OFF");
    }

    private CommandOutcome StartLearning(int camera)
    {
        if (!_switches.IsAnalysing(camera)) return CommandOutcome.Refused($"camera {Name(camera)} is switched off; switch it on to learn");
        if (_learning.Start(camera) is { } reason) return CommandOutcome.Refused(reason);
        _alerts.SetSuspended(camera, true);
        return CommandOutcome.Ok("learning");
    }

    private CommandOutcome StopLearning(int camera, string by)
    {
        if (!_learning.IsLearning(camera)) return CommandOutcome.Refused($"camera {Name(camera)} is not learning");
        try
        {
            var result = _learning.Stop(camera, by);
            return CommandOutcome.Ok($"learned from {result.FittedWindows + result.HeldOutWindows} windows");
        }
        catch (InvalidOperationException e)
        {
            // The session is over either way; the camera goes back to its previous profile.
            return CommandOutcome.Refused(e.Message);
        }
        finally
        {
            _alerts.SetSuspended(camera, !_switches.IsAnalysing(camera));
        }
    }

    private CommandOutcome Feedback(GiveFeedback command)
    {
        try
        {
            return RecordFeedback(command);
        }
        catch (SqliteException e)
        {
            _logger.LogError("Alert {Id}: the operator's feedback could not be stored: {Reason}", command.AlertId, e.Message);
            return CommandOutcome.Refused($"the alert history cannot be written now ({e.Message}); try again");
        }
    }

    private CommandOutcome RecordFeedback(GiveFeedback command)
    {
        var alert = _history.Find(command.AlertId);
        if (alert is null) return CommandOutcome.Refused($"unknown alert id {command.AlertId}");
        if (alert.Camera != Name(command.Camera)) return CommandOutcome.Refused($"alert {command.AlertId} belongs to camera {alert.Camera}, not {Name(command.Camera)}");
        if (command.Verdict is not { } verdict)
        {
            _history.Acknowledge(command.AlertId);
            return CommandOutcome.Ok("acknowledged");
        }
        _history.SetVerdict(command.AlertId, verdict);
        if (verdict == AlertVerdict.Confirmed)
        {
            _logger.LogInformation("Alert {Id} confirmed by an operator", command.AlertId);
            return CommandOutcome.Ok("confirmed");
        }
        try
        {
            return _alerts.MarkFalseAlarm(command.AlertId, command.By) is { } version
                ? CommandOutcome.Ok($"false alarm: the camera's profile now counts this situation as normal (profile version {version.Id}; undo brings back version {version.Parent})")
                : CommandOutcome.Ok("false alarm recorded; the alert's windows are no longer kept, so the profile is unchanged");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ProfileVersionException)
        {
            _logger.LogError("Alert {Id}: the false alarm could not update {Camera}'s profile: {Reason}", command.AlertId, alert.Camera, e.Message);
            return CommandOutcome.Ok($"false alarm recorded; the profile could not be updated: {e.Message}");
        }
    }

    private CommandOutcome Rollback(RollbackProfile command)
    {
        var camera = Name(command.Camera);
        if (_learning.IsLearning(command.Camera)) return CommandOutcome.Refused($"camera {camera} is learning; stop learning before rolling its profile back");
        return ChangeProfile(camera, () => Versions.Rollback(camera, command.Version, command.By));
    }

    private CommandOutcome Undo(UndoFeedback command)
    {
        var camera = Name(command.Camera);
        var alert = _history.Find(command.AlertId);
        if (alert is null) return CommandOutcome.Refused($"unknown alert id {command.AlertId}");
        if (alert.Camera != camera) return CommandOutcome.Refused($"alert {command.AlertId} belongs to camera {alert.Camera}, not {camera}");
        var outcome = ChangeProfile(camera, () => Versions.UndoFeedback(camera, command.AlertId, command.By));
        if (!outcome.Applied) return outcome;
        try
        {
            _history.ClearVerdict(command.AlertId);
        }
        catch (SqliteException e)
        {
            // The profile is back, which is what matters for scoring; the verdict shown is what could not be changed.
            _logger.LogError("Alert {Id}: the undone false alarm's verdict could not be cleared: {Reason}", command.AlertId, e.Message);
            return CommandOutcome.Ok($"{outcome.Detail}; the alert's verdict could not be cleared ({e.Message})");
        }
        return outcome;
    }

    private CommandOutcome ChangeProfile(string camera, Func<ProfileVersion> change)
    {
        try
        {
            var version = change();
            _logger.LogInformation("Camera {Camera}: profile version {Version} is current ({Detail}, by {By})", camera, version.Id, version.Detail, version.By);
            return CommandOutcome.Ok($"profile version {version.Id} is current ({version.Detail})");
        }
        catch (ProfileVersionException e)
        {
            return CommandOutcome.Refused(e.Message);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _logger.LogError("Camera {Camera}: the profile could not be changed: {Reason}", camera, e.Message);
            return CommandOutcome.Refused($"camera {camera}'s profile could not be changed: {e.Message}");
        }
    }
}
