using LineWatch.Control;

namespace LineWatch.Comms.Mqtt;

/// <summary>The topic names of the MQTT contract (docs/mqtt.md): one prefix and agent id, then per camera.</summary>
public sealed class Topics(string prefix, string agent)
{
    public string Root => $"{prefix}/{agent}/";
    public string Status => $"{prefix}/{agent}/status";
    public string Events(string camera) => $"{prefix}/{agent}/{camera}/events";
    public string Snapshot(string camera) => $"{prefix}/{agent}/{camera}/snapshot";
    public string State(string camera) => $"{prefix}/{agent}/{camera}/state";
    public string Stats => $"{prefix}/{agent}/stats";

    /// <summary>The alert summary of the current and the previous shift (retained).</summary>
    public string Summary => $"{prefix}/{agent}/summary";

    /// <summary>Rejected commands are reported here (not retained).</summary>
    public string Errors => $"{prefix}/{agent}/errors";

    /// <summary>Every camera's every command topic: <c>&lt;camera&gt;/&lt;feature&gt;/set</c>.</summary>
    public string AllCommands => $"{prefix}/{agent}/+/+/set";
    public string Command(string camera, CameraFeature feature) => $"{prefix}/{agent}/{camera}/{FeatureName(feature)}/set";
    public string FeatureState(string camera, CameraFeature feature) => $"{prefix}/{agent}/{camera}/{FeatureName(feature)}/state";

    public static string FeatureName(CameraFeature feature) => feature.ToString().ToLowerInvariant();
}
