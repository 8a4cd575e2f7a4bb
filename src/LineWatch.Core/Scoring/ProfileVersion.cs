namespace LineWatch.Scoring;

/// <summary>What made a profile version (the <c>source</c> field of its metadata).</summary>
public static class ProfileSource
{
    /// <summary>`linewatch learn` from footage or the camera's source.</summary>
    public const string CliLearn = "cli_learn";

    /// <summary>Live learning started and stopped from the dashboard or MQTT.</summary>
    public const string LiveLearn = "live_learn";

    /// <summary>An operator marked an alert a false alarm: its windows joined the profile.</summary>
    public const string Feedback = "feedback";

    /// <summary>An earlier version made current again (an explicit rollback, or the undo of a feedback).</summary>
    public const string Rollback = "rollback";

    /// <summary>A profile file found in place without a version for it: one written before versions existed, or copied in by hand.</summary>
    public const string Imported = "imported";
}

/// <summary>
/// A version's calibration: the channels' thresholds, and where they came from (the largest distances on the
/// held-out normal windows and the margin applied). The held-out figures are null where the version did not
/// calibrate (feedback and rollback carry them from the version they came from; an imported file has none).
/// </summary>
public sealed record ProfileCalibration(double LocalThreshold, double MotionThreshold, double LightingThreshold, double? Margin = null,
    double? HeldOutLocal = null, double? HeldOutMotion = null, double? LargestLightingChange = null, double? SpeedThreshold = null,
    double? HeldOutSpeed = null, double? ShiftThreshold = null, double? HeldOutShift = null, double? PatternThreshold = null, double? HeldOutPattern = null);

/// <summary>
/// One immutable version of a camera's profile, as kept beside it (DataDir/profiles/&lt;camera&gt;.versions/&lt;id&gt;.json):
/// who or what made it, when, from which windows, and its calibration, readable without loading the model itself.
/// </summary>
/// <param name="Id">1, 2, 3… per camera, in the order they were made; never reused.</param>
/// <param name="By">Who asked for it: "cli (user)", "dashboard", "mqtt", or "agent" for what the agent did by itself.</param>
/// <param name="Detail">One line for people, e.g. "rollback to version 3".</param>
/// <param name="AlertId">For feedback (and its undo): the alert an operator marked a false alarm.</param>
/// <param name="Parent">The version that was current when this one was made.</param>
/// <param name="RestoredFrom">For a rollback: the version whose profile it brought back.</param>
/// <param name="Footage">What it was learned from: video file names (never a camera URL, which may hold a password).</param>
/// <param name="Sha256">The profile file's SHA-256 (hex), checked when the version is used.</param>
public sealed record ProfileVersion(int Id, string Camera, DateTimeOffset Created, string Source, string By, string Detail, string? AlertId, int? Parent,
    int? RestoredFrom, long Windows, int? FittedWindows, int? HeldOutWindows, long FeedbackWindows, IReadOnlyList<string> Footage,
    ProfileCalibration Calibration, string Model, string Sha256, long Bytes);

/// <summary>Who asks for a new version and why; the store fills in the rest (id, time, parent, windows, thresholds, hash).</summary>
/// <param name="Learned">For a learn: the fitter's result (window counts and held-out maxima).</param>
public sealed record ProfileChange(string Source, string By, string Detail, string? AlertId = null, IReadOnlyList<string>? Footage = null,
    ProfileFitter.Result? Learned = null, double? Margin = null);

/// <summary>A request the version store cannot carry out as asked (an unknown version, nothing to undo); the message names what.</summary>
public sealed class ProfileVersionException(string message) : Exception(message);
