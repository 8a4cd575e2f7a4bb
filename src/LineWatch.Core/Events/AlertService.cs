using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Processing;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging;

namespace LineWatch.Events;

/// <summary>An alert event as the outside world sees it: wall-clock times, the anomaly map of the window that caused
/// it, and (for start and update) a JPEG snapshot of its most anomalous frame with the map overlaid.</summary>
public sealed record AlertNotice(AlertEvent Event, DateTimeOffset Time, DateTimeOffset Started, int Grid, float[] AnomalyMap, byte[]? Snapshot)
{
    /// <summary>For an end event whose video is being recorded: where the dashboard serves the clip once it is written.</summary>
    public string? Clip { get; init; }
}

/// <summary>Receives alert events (MQTT outbox, dashboard, log).</summary>
public interface IAlertSink
{
    void OnAlert(AlertNotice notice);
}

/// <summary>Records video of alerts (event clips); told of each event before the sinks, so an end event can carry its clip's link.</summary>
public interface IAlertRecorder
{
    /// <param name="ticks">Capture time (Stopwatch ticks) of the newest frame the event was decided on.</param>
    /// <returns>For an end event, the link of the alert's clip; otherwise null.</returns>
    string? OnAlert(AlertEvent alert, long ticks);
}

/// <summary>
/// Runs each camera's <see cref="AlertPolicy"/> over its scored windows and hands the resulting events to the
/// alert sinks. While an alert is active it keeps the features of its highest-scoring windows, so an
/// operator's "false alarm" can teach the camera's profile that this situation is normal.
/// </summary>
public sealed class AlertService : IWindowSink
{
    private const int WindowsKeptPerAlert = 8;
    private const int AlertsKept = 16;

    private readonly CameraSlots _slots;
    // Per camera slot; a slot's policy is made when its camera first needs one (it names the camera in its events).
    private readonly AlertPolicy?[] _policies;
    private readonly Lock _policiesLock = new();
    private readonly double[] _lastScores;
    private readonly bool[] _suspended;
    private readonly FanOut<IAlertSink> _sinks;
    private readonly ILogger _logger;
    private readonly IAlertRecorder? _recorder;
    private readonly ProfileVersionStore _versions;
    private readonly long _epochTicks = Stopwatch.GetTimestamp();
    private readonly KeptWindows _kept = new(AlertsKept, WindowsKeptPerAlert);

    /// <param name="slots">The agent's camera slots; null for the configured cameras alone.</param>
    public AlertService(AgentOptions options, IReadOnlyList<IAlertSink> sinks, ILogger<AlertService> logger, IAlertRecorder? recorder = null,
        ProfileVersionStore? versions = null, CameraSlots? slots = null)
    {
        _recorder = recorder;
        Options = options.Alerts;
        _versions = versions ?? new ProfileVersionStore(options.DataDir, options.Learning.KeepVersions);
        _slots = slots ?? new CameraSlots(options);
        _policies = new AlertPolicy?[_slots.Capacity];
        _lastScores = Enumerable.Repeat(double.NaN, _slots.Capacity).ToArray();
        _suspended = new bool[_slots.Capacity];
        _sinks = new FanOut<IAlertSink>(sinks, "Alert", logger);
        _logger = logger;
        _slots.Reused += Forget;
    }

    /// <summary>
    /// A new camera took the slot of a removed one (whose alert ended as it left): the removed camera's policy (it names the
    /// camera in its events, and holds its hysteresis and cooldown), last score, suspension and kept windows go with it.
    /// </summary>
    private void Forget(int camera, string previous)
    {
        lock (_policiesLock)
        {
            Volatile.Write(ref _policies[camera], null);
            Volatile.Write(ref _lastScores[camera], double.NaN);
            _suspended[camera] = false;
        }
        _kept.Forget(camera);
    }

    /// <summary>The alert policy values in force.</summary>
    public AlertOptions Options { get; private set; }

    /// <summary>Puts new policy values in force on every camera from its next window, without losing an alert in progress.</summary>
    public void SetOptions(AlertOptions options)
    {
        lock (_policiesLock)
        {
            Options = options;
            foreach (var policy in _policies.OfType<AlertPolicy>())
            {
                lock (policy) policy.Options = options;
            }
        }
    }

    /// <summary>The slot's policy, made on first use with the options in force (under the lock <see cref="SetOptions"/> takes, so none is missed).</summary>
    private AlertPolicy Policy(int camera)
    {
        if (Volatile.Read(ref _policies[camera]) is { } policy) return policy;
        lock (_policiesLock)
        {
            policy = _policies[camera] ?? new AlertPolicy(_slots.Name(camera) ?? throw new ArgumentOutOfRangeException(nameof(camera), $"no camera in slot {camera}"), Options);
            Volatile.Write(ref _policies[camera], policy);
            return policy;
        }
    }

    /// <summary>The id of the camera's alert in progress, or null.</summary>
    public string? ActiveAlert(int camera) => Volatile.Read(ref _policies[camera])?.ActiveId;

    /// <summary>The camera's latest window score (normalised, 1.0 = threshold), or null before its first scored window.</summary>
    public double? LastScore(int camera) => _lastScores[camera] is var s && double.IsNaN(s) ? null : s;

    /// <summary>
    /// Stops (or resumes) alerting for a camera, e.g. while it learns or is switched off. An alert in progress
    /// is ended, so consumers are not left with an alert that never closes.
    /// </summary>
    public void SetSuspended(int camera, bool suspended)
    {
        var policy = Policy(camera);
        AlertEvent? end;
        lock (policy)
        {
            _suspended[camera] = suspended;
            end = suspended ? policy.Close(Stopwatch.GetElapsedTime(_epochTicks).TotalSeconds) : null;
        }
        if (end is not null) Publish(end, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp(), null);
    }

    public void OnWindow(WindowResult window)
    {
        if (window.Score is not { } score) return;
        Volatile.Write(ref _lastScores[window.CameraIndex], score);
        var policy = Policy(window.CameraIndex);
        var newest = window.FrameTicks.Span[^1];
        var time = Stopwatch.GetElapsedTime(_epochTicks, newest).TotalSeconds;
        AlertEvent? alert;
        lock (policy)
        {
            if (_suspended[window.CameraIndex]) return;
            alert = policy.Observe(time, score);
            if (policy.ActiveId is { } active) _kept.Keep(active, window.CameraIndex, score, window.Tokens.Span, window.Signals.Span);
        }
        if (alert is null) return;
        Publish(alert, DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(newest), newest, window);
    }

    /// <param name="ticks">When <paramref name="now"/> was, in Stopwatch ticks (the clock frames are stamped with).</param>
    /// <param name="window">The window that caused the event (its map and snapshot), or null when the event has none.</param>
    private void Publish(AlertEvent alert, DateTimeOffset now, long ticks, WindowResult? window)
    {
        string? clip = null;
        try
        {
            clip = _recorder?.OnAlert(alert, ticks);
        }
        catch (Exception e)
        {
            // A clip that cannot be had must not cost the alert itself.
            _logger.LogError(e, "Alert {Id} on {Camera}: the clip recorder failed", alert.Id, alert.Camera);
        }
        var snapshot = alert.Phase == AlertPhase.End || window is null ? null : AlertSnapshot.Render(window);
        var map = window?.AnomalyMap.ToArray() ?? [];
        var notice = new AlertNotice(alert, now, now - TimeSpan.FromSeconds(alert.Time - alert.StartTime), (int)Math.Sqrt(map.Length), map, snapshot) { Clip = clip };
        _sinks.Deliver(notice, static (sink, n) => sink.OnAlert(n));
        // Logged once the sinks have it (the journal's commit is done): a logged alert is one a restart cannot lose.
        if (alert.Phase == AlertPhase.Start) _logger.LogWarning("Alert {Id} on {Camera}: score {Score:0.00} ({Severity})", alert.Id, alert.Camera, alert.Score, alert.Severity);
        else if (alert.Phase == AlertPhase.End) _logger.LogInformation("Alert {Id} on {Camera} ended after {Seconds:0.0} s, peak {Peak:0.00}", alert.Id, alert.Camera, alert.Time - alert.StartTime, alert.Peak);
    }

    /// <summary>
    /// Operator feedback: the alert was a false alarm. Its kept windows join the camera's profile as normal, as a
    /// new profile version (the scorer reloads it; the version can be undone). Returns null when the alert is
    /// unknown or no longer kept.
    /// </summary>
    /// <param name="by">Who gave the feedback ("dashboard", "mqtt"), recorded in the version.</param>
    public ProfileVersion? MarkFalseAlarm(string alertId, string by = "agent")
    {
        if (_kept.Take(alertId) is not { } kept) return null;
        try
        {
            var change = new ProfileChange(ProfileSource.Feedback, by, $"false-alarm feedback on alert {alertId} ({kept.Count} window(s))", alertId);
            var camera = _slots.Name(kept.Camera)!;
            var version = _versions.CommitFeedback(camera, change, profile =>
            {
                for (var i = 0; i < kept.Count; i++) profile.AddFeedback(kept.Tokens(i), kept.Signals(i));
            });
            _logger.LogInformation("Alert {Id} marked a false alarm: {Count} window(s) added to {Camera}'s normal profile (version {Version})",
                alertId, kept.Count, camera, version.Id);
            return version;
        }
        finally
        {
            _kept.Return(kept);
        }
    }
}
