namespace LineWatch.Events;

/// <summary>One camera in a shift: its alerts (how many critical, confirmed, false alarms, not yet reviewed) and its uptime.</summary>
public sealed record CameraShiftSummary(string Camera, int Alerts, int Critical, int Confirmed, int FalseAlarms, int Unreviewed,
    double UptimeSeconds, double UptimeRatio);

/// <summary>A shift's summary; <see cref="Complete"/> once the shift is over (else it counts up to now).</summary>
public sealed record ShiftSummary(string Shift, DateTimeOffset Start, DateTimeOffset End, bool Complete, IReadOnlyList<CameraShiftSummary> Cameras);

/// <summary>
/// Summarises shifts from the alert history and the uptime ledger: per configured camera (and any other the history
/// has alerts of in that shift) its alerts by verdict and its uptime — the share of the shift so far in which it
/// delivered frames to a running agent.
/// </summary>
/// <param name="configured">The cameras in the configuration now (it changes while the agent runs).</param>
public sealed class ShiftReport(ShiftCalendar calendar, AlertHistory history, UptimeLedger uptime, Func<IReadOnlyList<string>> configured)
{
    /// <summary>The shift running at <paramref name="now"/> (so far) and the one before it.</summary>
    public (ShiftSummary Current, ShiftSummary Previous) At(DateTimeOffset now)
    {
        var current = calendar.At(now);
        return (Summarise(current, now), Summarise(calendar.Before(current), now));
    }

    public ShiftSummary Summarise(Shift shift, DateTimeOffset now)
    {
        var counts = history.Count(shift.Start, shift.End).ToDictionary(c => c.Camera);
        var elapsed = ((now < shift.End ? now : shift.End) - shift.Start).TotalSeconds;
        var cameras = configured();
        var names = cameras.Concat(counts.Keys.Where(c => !cameras.Contains(c)).Order(StringComparer.Ordinal));
        var rows = names.Select(camera =>
        {
            var c = counts.GetValueOrDefault(camera) ?? new AlertCounts(camera, 0, 0, 0, 0);
            var seconds = Math.Round(Math.Min(uptime.Seconds(shift, camera), Math.Max(elapsed, 0)));
            return new CameraShiftSummary(camera, c.Alerts, c.Critical, c.Confirmed, c.FalseAlarms, c.Unreviewed, seconds,
                elapsed > 0 ? Math.Round(seconds / elapsed, 3) : 0);
        }).ToArray();
        return new ShiftSummary(shift.Name, shift.Start, shift.End, now >= shift.End, rows);
    }
}
