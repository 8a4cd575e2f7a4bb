using LineWatch.Events;
using LineWatch.Storage;
using LineWatch.Tests.Storage;

namespace LineWatch.Tests.Events;

/// <summary>Shifts from local start times, the uptime ledger in a real SQLite file, and a shift's summary from both and the history.</summary>
public sealed class ShiftSummaryTests : IDisposable
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private readonly DatabaseFolder _dir = new();

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void The_default_shifts_start_at_06_14_and_22_local_and_the_night_shift_runs_past_midnight()
    {
        var calendar = new ShiftCalendar(ShiftCalendar.DefaultStarts, Berlin);
        // 1 December: Berlin is UTC+1.
        Assert.Equal(new Shift("06:00", Utc(12, 1, 5), Utc(12, 1, 13)), calendar.At(Utc(12, 1, 5)));
        Assert.Equal(new Shift("14:00", Utc(12, 1, 13), Utc(12, 1, 21)), calendar.At(Utc(12, 1, 20, 59)));
        Assert.Equal(new Shift("22:00", Utc(11, 30, 21), Utc(12, 1, 5)), calendar.At(Utc(12, 1, 2))); // 03:00 local: began the day before
        Assert.Equal(new Shift("14:00", Utc(11, 30, 13), Utc(11, 30, 21)), calendar.Before(calendar.At(Utc(12, 1, 2))));
    }

    [Fact]
    public void Shifts_follow_the_local_clock_across_a_daylight_saving_change()
    {
        var calendar = new ShiftCalendar(ShiftCalendar.DefaultStarts, Berlin);
        // Night of 24-25 October 2026: clocks go back at 03:00 CEST, so the night shift lasts 9 hours.
        var night = calendar.At(Utc(10, 25, 1));
        Assert.Equal(("22:00", Utc(10, 24, 20), Utc(10, 25, 5)), (night.Name, night.Start, night.End));
    }

    [Fact]
    public void A_single_start_makes_day_long_shifts_and_starts_are_taken_in_time_order()
    {
        var daily = new ShiftCalendar([new TimeOnly(7, 30)], TimeZoneInfo.Utc);
        Assert.Equal(new Shift("07:30", Utc(12, 1, 7, 30), Utc(12, 2, 7, 30)), daily.At(Utc(12, 2, 7, 29)));
        var twoShifts = new ShiftCalendar([new TimeOnly(18, 0), new TimeOnly(6, 0)], TimeZoneInfo.Utc);
        Assert.Equal(new Shift("18:00", Utc(12, 1, 18), Utc(12, 2, 6)), twoShifts.At(Utc(12, 1, 23)));
    }

    [Fact]
    public void Uptime_is_kept_per_shift_and_camera_and_what_was_saved_survives_a_restart()
    {
        var calendar = new ShiftCalendar(ShiftCalendar.DefaultStarts, TimeZoneInfo.Utc);
        var morning = calendar.At(Utc(12, 1, 7));
        using (var database = _dir.Open())
        {
            var ledger = new UptimeLedger(database, calendar);
            ledger.Observe(Utc(12, 1, 7), TimeSpan.FromSeconds(5), ["press", "line"]);
            ledger.Save();
            ledger.Observe(Utc(12, 1, 7, 1), TimeSpan.FromSeconds(5), ["press"]);
            ledger.Observe(Utc(12, 1, 14, 1), TimeSpan.FromSeconds(5), ["press"]); // the next shift
            Assert.Equal(10, ledger.Seconds(morning, "press"));
            Assert.Equal(5, ledger.Seconds(morning, "line"));
            ledger.Save();
            ledger.Observe(Utc(12, 1, 7, 2), TimeSpan.FromSeconds(5), ["press"]); // never saved: a crash loses it
        }
        using var reopened = _dir.Open();
        var again = new UptimeLedger(reopened, calendar);
        Assert.Equal(10, again.Seconds(morning, "press"));
        Assert.Equal(5, again.Seconds(calendar.At(Utc(12, 1, 15)), "press"));
        Assert.Equal(0, again.Seconds(morning, "dock"));
    }

    [Fact]
    public void A_shift_summary_counts_each_cameras_alerts_by_verdict_and_its_uptime_share_of_the_shift_so_far()
    {
        using var database = _dir.Open();
        var calendar = new ShiftCalendar(ShiftCalendar.DefaultStarts, TimeZoneInfo.Utc);
        var history = new AlertHistory(database);
        var ledger = new UptimeLedger(database, calendar);
        using (var write = database.BeginWrite())
        {
            void Alert(string id, string camera, DateTimeOffset started, AlertSeverity severity) => history.Record(write,
                new AlertNotice(new AlertEvent(id, camera, AlertPhase.Start, 0, 0, 1.5, 1.5, severity), started, started, 2, [0f, 0f, 0f, 0f], null));
            Alert("p1", "press", Utc(12, 1, 6, 10), AlertSeverity.Critical);
            Alert("p2", "press", Utc(12, 1, 7), AlertSeverity.Warning);
            Alert("p3", "press", Utc(12, 1, 7, 30), AlertSeverity.Warning);
            Alert("old", "press", Utc(12, 1, 5, 59), AlertSeverity.Warning); // the night shift's
            Alert("x1", "retired", Utc(12, 1, 6, 30), AlertSeverity.Warning); // a camera no longer configured
            write.Commit();
        }
        history.SetVerdict("p1", AlertVerdict.Confirmed);
        history.SetVerdict("p2", AlertVerdict.FalseAlarm);
        ledger.Observe(Utc(12, 1, 7), TimeSpan.FromMinutes(90), ["press"]);

        var report = new ShiftReport(calendar, history, ledger, () => ["press", "line"]);
        var (current, previous) = report.At(Utc(12, 1, 8)); // two hours into the morning shift
        Assert.Equal(("06:00", Utc(12, 1, 6), Utc(12, 1, 14), false), (current.Shift, current.Start, current.End, current.Complete));
        Assert.Equal(["press", "line", "retired"], current.Cameras.Select(c => c.Camera));
        Assert.Equal(new CameraShiftSummary("press", 3, 1, 1, 1, 1, 5400, 0.75), current.Cameras[0]);
        Assert.Equal(new CameraShiftSummary("line", 0, 0, 0, 0, 0, 0, 0), current.Cameras[1]);
        Assert.Equal(1, current.Cameras[2].Alerts);
        Assert.True(previous.Complete);
        Assert.Equal(("22:00", 1), (previous.Shift, previous.Cameras[0].Alerts));
    }

    public void Dispose() => _dir.Dispose();
}
