using System.Text.Json;
using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.Diagnostics;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Home Assistant MQTT discovery (<c>Mqtt:HomeAssistant:Enabled</c>): on every connect, a retained config per
/// entity under <c>&lt;discovery prefix&gt;/&lt;component&gt;/&lt;agent&gt;_&lt;camera&gt;_&lt;entity&gt;/config</c>, all on
/// one device per agent and available while the agent's status is <c>online</c>. Per camera: a binary sensor
/// "anomaly" (device class problem), a sensor "score", and a switch "analysis" driving the <c>enabled</c> command.
/// The entities read the topics documented in docs/mqtt.md; nothing here is published that HA alone would use.
/// </summary>
public sealed class HomeAssistantDiscovery
{
    private readonly AgentOptions _options;
    private readonly MqttPublisher _publisher;

    public HomeAssistantDiscovery(AgentOptions options, MqttPublisher publisher)
    {
        _options = options;
        _publisher = publisher;
    }

    /// <summary>Announces on every connect from now on (when enabled); call before the publisher connects.</summary>
    public void Start()
    {
        if (_options.Mqtt.HomeAssistant.Enabled) _publisher.Connected += Announce;
    }

    public string ConfigTopic(string component, string camera, string entity) =>
        $"{_options.Mqtt.HomeAssistant.DiscoveryPrefix}/{component}/{_options.AgentId}_{camera}_{entity}/config";

    private void Announce()
    {
        var topics = _publisher.Topics;
        var device = new Dictionary<string, object>
        {
            ["identifiers"] = new[] { $"linewatch_{_options.AgentId}" }, ["name"] = $"LineWatch {_options.AgentId}",
            ["manufacturer"] = "LineWatch", ["model"] = "video anomaly detection agent", ["sw_version"] = AppVersion.Current,
        };
        foreach (var camera in _options.Cameras.Select(c => c.Name))
        {
            Dictionary<string, object> Entity(string entity, string name) => new()
            {
                ["name"] = name, ["unique_id"] = $"linewatch_{_options.AgentId}_{camera}_{entity}", ["object_id"] = $"linewatch_{camera}_{entity}",
                ["availability_topic"] = topics.Status, ["payload_available"] = MqttConnection.Online, ["payload_not_available"] = MqttConnection.Offline,
                ["device"] = device,
            };
            var anomaly = Entity("anomaly", $"{camera} anomaly");
            anomaly["state_topic"] = topics.State(camera);
            anomaly["value_template"] = "{{ 'ON' if value_json.state == 'anomaly' else 'OFF' }}";
            anomaly["device_class"] = "problem";
            var score = Entity("score", $"{camera} anomaly score");
            score["state_topic"] = topics.State(camera);
            score["value_template"] = "{{ value_json.score }}";
            score["state_class"] = "measurement";
            score["icon"] = "mdi:chart-bell-curve";
            var analysis = Entity("analysis", $"{camera} analysis");
            analysis["state_topic"] = topics.FeatureState(camera, CameraFeature.Enabled);
            analysis["command_topic"] = topics.Command(camera, CameraFeature.Enabled);
            analysis["payload_on"] = "ON";
            analysis["payload_off"] = "OFF";
            Publish(ConfigTopic("binary_sensor", camera, "anomaly"), anomaly);
            Publish(ConfigTopic("sensor", camera, "score"), score);
            Publish(ConfigTopic("switch", camera, "analysis"), analysis);
        }
    }

    private void Publish(string topic, Dictionary<string, object> config) => _publisher.PublishState(topic, JsonSerializer.SerializeToUtf8Bytes(config));
}
