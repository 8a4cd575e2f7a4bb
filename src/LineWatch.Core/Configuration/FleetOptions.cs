namespace LineWatch.Configuration;

/// <summary>
/// The fleet page on this agent's dashboard (<c>/fleet</c>): every agent that publishes to the central broker under
/// this agent's topic prefix. Host empty means the broker of <c>Mqtt:Uplink</c>, with its credentials and TLS.
/// </summary>
public sealed class FleetOptions : RemoteBrokerOptions
{
    public bool Enabled { get; set; }

    /// <summary>How the fleet view connects to the central broker, as a client of its own.</summary>
    public MqttOptions CentralBroker(MqttOptions mqtt)
    {
        RemoteBrokerOptions broker = Host.Length == 0 ? mqtt.Uplink : this;
        return new MqttOptions
        {
            Mode = MqttMode.External, Host = broker.Host, Port = broker.Port, Username = broker.Username, Password = broker.Password, Tls = broker.Tls,
            TopicPrefix = mqtt.TopicPrefix,
        };
    }
}
