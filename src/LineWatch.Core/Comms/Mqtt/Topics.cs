namespace LineWatch.Comms.Mqtt;

/// <summary>The topic names of the MQTT contract (docs/mqtt.md): one prefix and agent id, then per camera.</summary>
public sealed class Topics(string prefix, string agent)
{
    public string Status => $"{prefix}/{agent}/status";
    public string Events(string camera) => $"{prefix}/{agent}/{camera}/events";
    public string Snapshot(string camera) => $"{prefix}/{agent}/{camera}/snapshot";
    public string State(string camera) => $"{prefix}/{agent}/{camera}/state";
    public string Stats => $"{prefix}/{agent}/stats";
}
