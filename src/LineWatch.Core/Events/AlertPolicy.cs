using LineWatch.Configuration;

namespace LineWatch.Events;

public enum AlertPhase { Start, Update, End }

public enum AlertSeverity { Warning, Critical }

/// <summary>
/// One step of an alert's life. <see cref="Id"/> is the same for its start, updates and end, so consumers
/// can de-duplicate and join them. Times are seconds on the policy's clock (video time, or the agent's).
/// </summary>
public sealed record AlertEvent(string Id, string Camera, AlertPhase Phase, double Time, double StartTime, double Score, double Peak,
    AlertSeverity Severity);

/// <summary>
/// Turns one camera's sequence of window scores into alerts: start after <c>MinWindows</c> windows in a row at
/// or above <c>OnScore</c>, or sooner, after <c>FastWindows</c> in a row at or above <c>FastScore</c>; while active, an update when the peak rises (at most every 2 s) or the severity
/// goes up; end after <c>MinWindows</c> windows in a row below <c>OffScore</c> (hysteresis, so a score
/// hovering at the threshold does not flap); then a cooldown before the next start.
/// </summary>
public sealed class AlertPolicy(string camera, AlertOptions options, Func<string>? newId = null)
{
    /// <summary>The values in force; replaced whole when the configuration changes (the alert in progress, its counts
    /// and the cooldown carry over, judged by the new values from the next window).</summary>
    public AlertOptions Options { get; set; } = options;

    private const double MinUpdateSeconds = 2;
    private readonly Func<string> _newId = newId ?? (() => Guid.CreateVersion7().ToString("N"));
    private int _above, _aboveFast, _below;
    private double _cooldownUntil = double.NegativeInfinity;
    private string? _id;
    private double _start, _peak, _lastUpdate;
    private AlertSeverity _severity;

    public bool Active => _id is not null;

    /// <summary>The id of the alert in progress, or null.</summary>
    public string? ActiveId => _id;

    public AlertEvent? Observe(double time, double score)
    {
        if (double.IsNaN(score)) return null;
        if (_id is null)
        {
            _above = score >= Options.OnScore ? _above + 1 : 0;
            _aboveFast = score >= Options.FastScore ? _aboveFast + 1 : 0;
            if ((_above < Options.MinWindows && _aboveFast < Options.FastWindows) || time < _cooldownUntil) return null;
            _id = _newId();
            _start = time;
            _peak = score;
            _lastUpdate = time;
            _below = 0;
            _severity = SeverityOf(score);
            return new AlertEvent(_id, camera, AlertPhase.Start, time, _start, score, _peak, _severity);
        }

        _below = score < Options.OffScore ? _below + 1 : 0;
        if (_below >= Options.MinWindows)
        {
            var end = new AlertEvent(_id, camera, AlertPhase.End, time, _start, score, _peak, _severity);
            _id = null;
            _above = _aboveFast = 0;
            _cooldownUntil = time + Options.CooldownSeconds;
            return end;
        }
        if (score > _peak)
        {
            _peak = score;
            var severity = SeverityOf(score);
            if (severity > _severity || time - _lastUpdate >= MinUpdateSeconds)
            {
                _severity = severity;
                _lastUpdate = time;
                return new AlertEvent(_id, camera, AlertPhase.Update, time, _start, score, _peak, _severity);
            }
        }
        return null;
    }

    /// <summary>Ends the alert in progress now (the camera stops being watched); null when none is active.</summary>
    public AlertEvent? Close(double time)
    {
        if (_id is null) return null;
        var end = new AlertEvent(_id, camera, AlertPhase.End, time, _start, _peak, _peak, _severity);
        _id = null;
        _above = _aboveFast = 0;
        return end;
    }

    private AlertSeverity SeverityOf(double score) => score >= Options.CriticalScore ? AlertSeverity.Critical : AlertSeverity.Warning;
}
