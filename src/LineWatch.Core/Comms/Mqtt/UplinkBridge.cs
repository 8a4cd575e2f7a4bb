using LineWatch.Configuration;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// The lines of the embedded Mosquitto's configuration that bridge this agent's topics to the central broker
/// (<c>Mqtt:Uplink</c>). What must not be lost is bridged at QoS 1 over a persistent session on both sides, so
/// Mosquitto queues it (in its database, which survives restarts) while the uplink is down and forwards it in order
/// when it returns; what the next report replaces is bridged at QoS 0, so an outage does not fill the queue with it.
/// </summary>
public static class UplinkBridge
{
    /// <summary>Retained on the central broker: "1" while the bridge is connected, "0" (its last will there) once it is not.</summary>
    public static string ConnectionTopic(string prefix, string agentId) => $"{prefix}/{agentId}/uplink";

    public static IEnumerable<string> ConfigLines(MqttUplinkOptions uplink, string prefix, string agentId)
    {
        var root = $"{prefix}/{agentId}";
        yield return "connection linewatch-uplink";
        yield return $"address {uplink.Host}:{uplink.Port}";
        // One session per agent on the central broker: a second agent with the same id would take this one over.
        yield return $"remote_clientid linewatch-bridge-{agentId}";
        yield return $"local_clientid linewatch-bridge-local-{agentId}";
        // A persistent session on the central broker (cleansession false) and on this one (local_cleansession
        // follows it), so messages in flight or queued when the uplink drops are delivered when it returns.
        yield return "cleansession false";
        yield return "start_type automatic";
        yield return $"keepalive_interval {uplink.KeepAliveSeconds}";
        // Tries again 1 s after a failure, backing off (with jitter) to one try every 30 s while the uplink stays down.
        yield return "restart_timeout 1 30";
        yield return "notifications true";
        yield return $"notification_topic {ConnectionTopic(prefix, agentId)}";
        if (uplink.Username.Length > 0) yield return $"remote_username {uplink.Username}";
        if (uplink.Password.Length > 0) yield return $"remote_password {uplink.Password}";
        if (uplink.Tls.Enabled)
        {
            yield return $"bridge_cafile {uplink.Tls.CaFile}";
            if (uplink.Tls.CertFile.Length > 0) yield return $"bridge_certfile {uplink.Tls.CertFile}";
            if (uplink.Tls.KeyFile.Length > 0) yield return $"bridge_keyfile {uplink.Tls.KeyFile}";
            if (!uplink.Tls.VerifyHostname) yield return "bridge_insecure true";
        }
        // Kept and forwarded after an outage: alert events and the agent's availability (online / its last will).
        yield return $"topic {root}/+/events out 1";
        yield return $"topic {root}/status out 1";
        // Superseded by the next report within seconds, or large (snapshots): not queued while the uplink is down.
        yield return $"topic {root}/stats out 0";
        yield return $"topic {root}/+/state out 0";
        yield return $"topic {root}/+/+/state out 0";
        yield return $"topic {root}/+/snapshot out 0";
    }
}
