namespace LineWatch.Configuration;

public enum MqttMode
{
    /// <summary>The agent starts and supervises a local Mosquitto on 127.0.0.1.</summary>
    Embedded,
    /// <summary>The agent connects to the broker at Host:Port.</summary>
    External,
}

public sealed class MqttOptions
{
    public MqttMode Mode { get; set; } = MqttMode.Embedded;
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public string TopicPrefix { get; set; } = "linewatch";

    /// <summary>Empty means the agent id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>3.1.1 or 5.</summary>
    public string ProtocolVersion { get; set; } = "5";

    public string Username { get; set; } = "";

    /// <summary>A secret: never logged. Prefer LINEWATCH__Mqtt__Password in the service environment.</summary>
    public string Password { get; set; } = "";

    public int KeepAliveSeconds { get; set; } = 30;
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>The broker binary for embedded mode.</summary>
    public string MosquittoPath { get; set; } = "/usr/sbin/mosquitto";

    public HomeAssistantOptions HomeAssistant { get; set; } = new();

    /// <summary>Embedded mode only: the embedded broker's store-and-forward bridge to a central broker.</summary>
    public MqttUplinkOptions Uplink { get; set; } = new();
}

/// <summary>A broker other than the agent's own: where it is, who the agent is there, and TLS.</summary>
public abstract class RemoteBrokerOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 1883;
    public string Username { get; set; } = "";

    /// <summary>A secret: never logged.</summary>
    public string Password { get; set; } = "";
    public MqttTlsOptions Tls { get; set; } = new();
}

/// <summary>
/// The central broker the embedded Mosquitto bridges this agent's topics to (docs/fleet.md). Mosquitto keeps what
/// the bridge could not deliver while the uplink is down and forwards it, in order, when the uplink returns. The
/// password is written only into the embedded broker's configuration, readable by the agent's user alone.
/// </summary>
public sealed class MqttUplinkOptions : RemoteBrokerOptions
{
    public bool Enabled { get; set; }

    /// <summary>How often the bridge pings the central broker when idle: a dead uplink is noticed within 1.5 times this.</summary>
    public int KeepAliveSeconds { get; set; } = 30;
}

/// <summary>Home Assistant MQTT discovery: the agent announces its cameras as HA entities.</summary>
public sealed class HomeAssistantOptions
{
    public bool Enabled { get; set; }

    /// <summary>Home Assistant's discovery prefix (its default is "homeassistant").</summary>
    public string DiscoveryPrefix { get; set; } = "homeassistant";
}

public sealed class MqttTlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>PEM file of the CA(s) that signed the broker's certificate.</summary>
    public string CaFile { get; set; } = "";

    /// <summary>Optional client certificate and key (PEM) for brokers that require them.</summary>
    public string CertFile { get; set; } = "";
    public string KeyFile { get; set; } = "";

    /// <summary>Checks that the broker certificate names Host. Turn off only for a test broker.</summary>
    public bool VerifyHostname { get; set; } = true;
}
