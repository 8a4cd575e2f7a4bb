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
/// The entities read the topics documented in docs/mqtt.md; nothing here is published that HA alone would use. A camera
/// added to the configuration is announced at once; a removed one's configs are cleared (an empty retained message, which
/// makes HA delete its entities), at once or on the next connect.
/// </summary>
public sealed class HomeAssistantDiscovery
{
    private readonly AgentOptions _options;
    private readonly MqttPublisher _publisher;
    private readonly CameraSlots _slots;
    private readonly Dictionary<string, object> _device;

    private static readonly (string Component, string Entity)[] Entities = [("binary_sensor", "anomaly"), ("sensor", "score"), ("switch", "analysis")];

    public HomeAssistantDiscovery(AgentOptions options, MqttPublisher publisher, CameraSlots slots)
    {
        _options = options;
        _publisher = publisher;
        _slots = slots;
        _device = new Dictionary<string, object>
        {
            ["identifiers"] = new[] { $"linewatch_{options.AgentId}" }, ["name"] = $"LineWatch {options.AgentId}",
            ["manufacturer"] = "LineWatch", ["model"] = "video anomaly detection agent", ["sw_version"] = AppVersion.Current,
        };
    }

    /// <summary>Announces on every connect and every change of the cameras from now on (when enabled); call before the publisher connects.</summary>
    public void Start()
    {
        if (!_options.Mqtt.HomeAssistant.Enabled) return;
        _publisher.Connected += AnnounceAll;
        _slots.Joined += camera => Announce(_slots.Name(camera)!);
        _slots.Left += camera => Withdraw(_slots.Name(camera)!);
    }

    public string ConfigTopic(string component, string camera, string entity) =>
        $"{_options.Mqtt.HomeAssistant.DiscoveryPrefix}/{component}/{_options.AgentId}_{camera}_{entity}/config";

    private void AnnounceAll()
    {
        foreach (var camera in _slots.Configured()) Announce(_slots.Name(camera)!);
        // A camera removed while the broker was away has its entities deleted now (also once its slot went to another).
        foreach (var removed in _slots.Removed()) Withdraw(removed);
    }

    private void Announce(string camera)
    {
        var topics = _publisher.Topics;
        Dictionary<string, object> Entity(string entity, string name) => new()
        {
            ["name"] = name, ["unique_id"] = $"linewatch_{_options.AgentId}_{camera}_{entity}", ["object_id"] = $"linewatch_{camera}_{entity}",
            ["availability_topic"] = topics.Status, ["payload_available"] = MqttConnection.Online, ["payload_not_available"] = MqttConnection.Offline,
            ["device"] = _device,
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

    /// <summary>An empty retained config deletes the entity in HA.</summary>
    private void Withdraw(string camera)
    {
        foreach (var (component, entity) in Entities) _publisher.PublishState(ConfigTopic(component, camera, entity), []);
    }

    private void Publish(string topic, Dictionary<string, object> config) => _publisher.PublishState(topic, JsonSerializer.SerializeToUtf8Bytes(config));
}
