using LineWatch.Configuration;
using LineWatch.Events;

namespace LineWatch.Tests.Scoring;

public class AlertPolicyTests
{
    private static readonly AlertOptions Options = new() { OnScore = 1.0, OffScore = 0.8, MinWindows = 2, CooldownSeconds = 10, CriticalScore = 2.0 };

    private static List<AlertEvent> Run(AlertPolicy policy, params (double Time, double Score)[] windows) =>
        windows.Select(w => policy.Observe(w.Time, w.Score)).OfType<AlertEvent>().ToList();

    [Fact]
    public void One_window_above_is_not_enough_two_in_a_row_start_an_alert()
    {
        var ids = 0;
        var policy = new AlertPolicy("cam", Options, () => $"a{++ids}");
        var events = Run(policy, (0, 1.5), (0.5, 0.2), (1, 1.2), (1.5, 1.3));
        var start = Assert.Single(events);
        Assert.Equal(AlertPhase.Start, start.Phase);
        Assert.Equal(1.5, start.Time);
        Assert.Equal("a1", start.Id);
        Assert.Equal(AlertSeverity.Warning, start.Severity);
    }

    [Fact]
    public void New_values_apply_from_the_next_window_and_an_alert_in_progress_carries_on_under_them()
    {
        var policy = new AlertPolicy("cam", Options, () => "x");
        Assert.Empty(Run(policy, (0, 0.9)));
        policy.Options = new AlertOptions { OnScore = 0.5, OffScore = 0.4, MinWindows = 1, CooldownSeconds = 0, CriticalScore = 2.0 };
        Assert.Equal(AlertPhase.Start, Assert.Single(Run(policy, (0.5, 0.9))).Phase);

        // A stricter policy does not end the alert by itself: it ends when the scores fall below the new OffScore.
        policy.Options = Options;
        Assert.Empty(Run(policy, (1, 0.9)));
        Assert.Equal([AlertPhase.End], Run(policy, (1.5, 0.7), (2, 0.7)).Select(e => e.Phase));
    }

    [Fact]
    public void Hysteresis_keeps_an_alert_through_scores_between_off_and_on_and_ends_it_below_off()
    {
        var policy = new AlertPolicy("cam", Options, () => "x");
        var events = Run(policy, (0, 1.1), (1, 1.1), (2, 0.9), (3, 0.85), (4, 0.7), (5, 0.95), (6, 0.7), (7, 0.6));
        Assert.Equal([AlertPhase.Start, AlertPhase.End], events.Select(e => e.Phase));
        Assert.Equal(7, events[1].Time);   // the first pair of windows in a row below 0.8 is at 6 and 7
        Assert.Equal(1, events[1].StartTime);
        Assert.All(events, e => Assert.Equal("x", e.Id));
    }

    [Fact]
    public void Rising_peaks_give_updates_and_severity_escalates()
    {
        var policy = new AlertPolicy("cam", Options);
        var events = Run(policy, (0, 1.2), (1, 1.2), (1.5, 1.4), (2, 2.5), (2.5, 2.6), (4.5, 3.0));
        Assert.Equal([AlertPhase.Start, AlertPhase.Update, AlertPhase.Update], events.Select(e => e.Phase));
        Assert.Equal(AlertSeverity.Critical, events[1].Severity); // escalation is reported at once
        Assert.Equal(3.0, events[2].Peak);                         // 2.6 came too soon after; 3.0 two seconds later
        Assert.Single(events.Select(e => e.Id).Distinct());
    }

    [Fact]
    public void After_an_alert_ends_the_cooldown_suppresses_a_new_one()
    {
        var ids = 0;
        var policy = new AlertPolicy("cam", Options, () => $"a{++ids}");
        var events = Run(policy,
            (0, 1.5), (1, 1.5), (2, 0.1), (3, 0.1),       // alert 1: starts at 1, ends at 3
            (4, 1.5), (5, 1.5), (6, 1.5),                  // within 10 s of the end: no alert
            (13, 1.5), (14, 1.5));                         // after the cooldown: alert 2
        Assert.Equal(["a1:Start", "a1:End", "a2:Start"], events.Select(e => $"{e.Id}:{e.Phase}"));
        Assert.Equal(13, events[2].Time);
    }

    [Fact]
    public void Windows_without_a_score_are_ignored()
    {
        var policy = new AlertPolicy("cam", Options);
        Assert.Empty(Run(policy, (0, double.NaN), (1, double.NaN)));
    }

    [Fact]
    public void A_score_far_over_the_threshold_starts_sooner_but_one_such_window_is_not_enough()
    {
        var options = new AlertOptions { OnScore = 1.0, OffScore = 0.8, MinWindows = 3, FastScore = 1.5, FastWindows = 2, CriticalScore = 2.0 };

        var clear = Run(new AlertPolicy("cam", options), (0, 0.2), (0.5, 1.6), (1, 1.7));
        Assert.Equal(1, Assert.Single(clear).Time);

        var nearThreshold = Run(new AlertPolicy("cam", options), (0, 1.2), (0.5, 1.4), (1, 1.3));
        Assert.Equal(1, Assert.Single(nearThreshold).Time);
        Assert.Empty(Run(new AlertPolicy("cam", options), (0, 1.2), (0.5, 1.4)));

        // One fast window among slower ones: the start waits for MinWindows over OnScore.
        var spike = Run(new AlertPolicy("cam", options), (0, 3.0), (0.5, 1.1), (1, 1.1));
        Assert.Equal(1, Assert.Single(spike).Time);
        Assert.Empty(Run(new AlertPolicy("cam", options), (0, 3.0), (0.5, 0.5), (1, 3.0), (1.5, 0.5)));
    }
}
