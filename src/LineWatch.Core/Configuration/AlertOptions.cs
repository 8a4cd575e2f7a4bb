namespace LineWatch.Configuration;

/// <summary>How window scores become alerts; scores are normalised so 1.0 is each camera's calibrated threshold.</summary>
public sealed class AlertOptions
{
    /// <summary>An alert starts when the score is at or above this for <see cref="MinWindows"/> windows in a row.</summary>
    public double OnScore { get; set; } = 1.0;

    /// <summary>It ends when the score is below this (hysteresis) for <see cref="MinWindows"/> windows in a row.</summary>
    public double OffScore { get; set; } = 0.8;

    /// <summary>3 windows at the default 8 fps and stride 4 is 1.5 s: long enough to ride out single-window blips.</summary>
    public int MinWindows { get; set; } = 3;

    /// <summary>A score this far over the threshold starts an alert after <see cref="FastWindows"/> windows in a row
    /// instead of <see cref="MinWindows"/>: clear faults are reported sooner, while scores near the threshold, where
    /// normal footage's rare excursions lie, still have to last. 2.5, not 1.5: at 1.5, one-second transients of
    /// normal footage (peaks 1.8-2.1) started two of the three false alarms on scenes 121-123, while no fault on the
    /// twelve scenes 112-123 needed the fast path to be caught (docs/benchmarks.md, "The fast alert path").</summary>
    public double FastScore { get; set; } = 2.5;

    /// <summary>Windows in a row at or above <see cref="FastScore"/> that start an alert; 2 (1 s) rather than 1, so one
    /// corrupt frame, which lies in two overlapping windows but is diluted by the window's average, is not enough.</summary>
    public int FastWindows { get; set; } = 2;

    /// <summary>After an alert ends, no new one starts on that camera for this long.</summary>
    public double CooldownSeconds { get; set; } = 10;

    /// <summary>A peak at or above this is critical, below it a warning.</summary>
    public double CriticalScore { get; set; } = 2.0;
}

/// <summary>How `linewatch learn` fits and calibrates a camera's profile.</summary>
public sealed class LearningOptions
{
    /// <summary>
    /// Each channel's threshold is this many times the largest distance seen on held-out normal windows: room for
    /// the heavier drift, shake and compression a camera meets after the day it was learned (on our measurements,
    /// normal footage under them reached 1.5 to 2.6 times the held-out maximum in single windows).
    /// </summary>
    public double Margin { get; set; } = 2.25;

    /// <summary>A change of light level or contrast within a few seconds (log ratio; 0.15 ≈ 16%) below which the
    /// lighting channel never alerts, however steady the light was while learning.</summary>
    public double MinLightingChange { get; set; } = 0.15;

    /// <summary>A change of line speed (fraction of normal; 0.2 = 20% slower or faster) below which the line-speed
    /// channel never alerts, however steady the belt ran while learning: a belt is allowed that much drift.</summary>
    public double MinSpeedChange { get; set; } = 0.2;

    /// <summary>Share of the normal windows kept out of the fit to calibrate the threshold on.</summary>
    public double HoldOutFraction { get; set; } = 0.2;

    /// <summary>
    /// Profile versions kept per camera (DataDir/profiles/&lt;camera&gt;.versions): every learn, false-alarm feedback and
    /// rollback adds one, and the oldest beyond this many are deleted. The current one is always kept.
    /// </summary>
    public int KeepVersions { get; set; } = 20;
}
