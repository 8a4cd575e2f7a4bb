using LineWatch.Events;

namespace LineWatch.Control;

/// <summary>The features an operator or integrator can drive per camera (MQTT <c>&lt;camera&gt;/&lt;feature&gt;/set</c>, dashboard).</summary>
public enum CameraFeature { Enabled, Learn, Feedback, Profile }

/// <summary>A validated request to change one camera; built by the MQTT command parser or the dashboard API.</summary>
public abstract record CameraCommand(int Camera)
{
    public abstract CameraFeature Feature { get; }

    /// <summary>Where the command came from ("mqtt", "dashboard"; "agent" for the agent's own), recorded in the profile versions it makes.</summary>
    public string By { get; init; } = "agent";
}

public sealed record SetEnabled(int Camera, bool Enabled) : CameraCommand(Camera)
{
    public override CameraFeature Feature => CameraFeature.Enabled;
}

public sealed record SetLearning(int Camera, bool Start) : CameraCommand(Camera)
{
    public override CameraFeature Feature => CameraFeature.Learn;
}

/// <summary>An operator's verdict on an alert; <c>null</c> verdict only acknowledges it.</summary>
public sealed record GiveFeedback(int Camera, string AlertId, AlertVerdict? Verdict) : CameraCommand(Camera)
{
    public override CameraFeature Feature => CameraFeature.Feedback;
}

/// <summary>Makes an earlier profile version of the camera current again (as a new version).</summary>
public sealed record RollbackProfile(int Camera, int Version) : CameraCommand(Camera)
{
    public override CameraFeature Feature => CameraFeature.Profile;
}

/// <summary>Undoes a wrong "false alarm": the profile goes back to the version before that feedback, and the alert loses its verdict.</summary>
public sealed record UndoFeedback(int Camera, string AlertId) : CameraCommand(Camera)
{
    public override CameraFeature Feature => CameraFeature.Profile;
}

/// <summary>What became of a command: applied, or refused with a reason that names what was wrong.</summary>
public sealed record CommandOutcome(bool Applied, string Detail)
{
    public static CommandOutcome Ok(string detail) => new(true, detail);
    public static CommandOutcome Refused(string reason) => new(false, reason);
}
