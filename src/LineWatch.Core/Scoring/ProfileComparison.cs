using System.Globalization;

namespace LineWatch.Scoring;

/// <summary>One line of a comparison: a field's value in each version, and for numbers how much it changed (b / a - 1).</summary>
public sealed record ProfileDifference(string Field, string A, string B, double? RelativeChange)
{
    public bool Differs => A != B;
}

/// <summary>Two versions' metadata side by side (the CLI's `profile compare` and the dashboard show it), thresholds first.</summary>
public static class ProfileComparison
{
    public static IReadOnlyList<ProfileDifference> Compare(ProfileVersion a, ProfileVersion b) =>
    [
        Number("local_threshold", a.Calibration.LocalThreshold, b.Calibration.LocalThreshold),
        Number("motion_threshold", a.Calibration.MotionThreshold, b.Calibration.MotionThreshold),
        Number("speed_threshold", a.Calibration.SpeedThreshold, b.Calibration.SpeedThreshold),
        Number("lighting_threshold", a.Calibration.LightingThreshold, b.Calibration.LightingThreshold),
        Number("shift_threshold", a.Calibration.ShiftThreshold, b.Calibration.ShiftThreshold),
        Number("pattern_threshold", a.Calibration.PatternThreshold, b.Calibration.PatternThreshold),
        Number("held_out_local", a.Calibration.HeldOutLocal, b.Calibration.HeldOutLocal),
        Number("held_out_motion", a.Calibration.HeldOutMotion, b.Calibration.HeldOutMotion),
        Number("held_out_speed", a.Calibration.HeldOutSpeed, b.Calibration.HeldOutSpeed),
        Number("held_out_shift", a.Calibration.HeldOutShift, b.Calibration.HeldOutShift),
        Number("held_out_pattern", a.Calibration.HeldOutPattern, b.Calibration.HeldOutPattern),
        Number("largest_lighting_change", a.Calibration.LargestLightingChange, b.Calibration.LargestLightingChange),
        Number("margin", a.Calibration.Margin, b.Calibration.Margin),
        Number("windows", a.Windows, b.Windows),
        Number("fitted_windows", a.FittedWindows, b.FittedWindows),
        Number("held_out_windows", a.HeldOutWindows, b.HeldOutWindows),
        Number("feedback_windows", a.FeedbackWindows, b.FeedbackWindows),
        Text("created", a.Created.ToString("u", CultureInfo.InvariantCulture), b.Created.ToString("u", CultureInfo.InvariantCulture)),
        Text("source", a.Source, b.Source),
        Text("by", a.By, b.By),
        Text("detail", a.Detail, b.Detail),
        Text("footage", string.Join(", ", a.Footage), string.Join(", ", b.Footage)),
        Text("model", a.Model, b.Model),
        Text("sha256", a.Sha256[..12], b.Sha256[..12]),
    ];

    private static ProfileDifference Number(string field, double? a, double? b) =>
        new(field, Show(a), Show(b), a is { } x && b is { } y && x != 0 ? y / x - 1 : null);

    private static ProfileDifference Text(string field, string a, string b) => new(field, a, b, null);

    private static string Show(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "-";
}
