namespace LineWatch.Configuration;

/// <summary>
/// The fleet page on this agent's dashboard (<c>/fleet</c>): every agent that publishes to the central broker under
/// this agent's topic prefix. Host empty means the broker of <c>Mqtt:Uplink</c>, with its credentials and TLS.
/// </summary>
public sealed class FleetOptions
{
    public bool Enabled { get; set; }
    public string Host { get; set; } = "";
    public int Port { get; set; } = 1883;
    public string Username { get; set; } = "";

    /// <summary>A secret: never logged.</summary>
    public string Password { get; set; } = "";
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>How the fleet view connects to the central broker, as a client of its own.</summary>
    public MqttOptions CentralBroker(MqttOptions mqtt)
    {
        var uplink = mqtt.Uplink;
        var fromUplink = Host.Length == 0;
        return new MqttOptions
        {
            Mode = MqttMode.External,
            Host = fromUplink ? uplink.Host : Host,
            Port = fromUplink ? uplink.Port : Port,
            Username = fromUplink ? uplink.Username : Username,
            Password = fromUplink ? uplink.Password : Password,
            Tls = fromUplink ? uplink.Tls : Tls,
            TopicPrefix = mqtt.TopicPrefix,
        };
    }
}
