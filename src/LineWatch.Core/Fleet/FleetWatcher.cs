using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using Microsoft.Extensions.Logging;

namespace LineWatch.Fleet;

/// <summary>
/// Subscribes to the central broker and keeps a <see cref="FleetState"/> of every agent publishing under the prefix.
/// It only listens: a clean session, no availability topic of its own, nothing published.
/// </summary>
public sealed class FleetWatcher : IDisposable
{
    private readonly MqttConnection _connection;

    /// <param name="broker">The central broker: Host, Port, credentials, TLS and TopicPrefix are used.</param>
    public FleetWatcher(MqttOptions broker, TimeProvider clock, ILogger logger)
    {
        State = new FleetState(broker.TopicPrefix, clock);
        // A client id of its own per process, so two viewers (or an agent's page and a `linewatch fleet`) never take over each other's session.
        _connection = new MqttConnection(broker, $"linewatch-fleet-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}", null, logger);
        foreach (var topic in State.Topics) _connection.Subscribe(topic);
        _connection.MessageReceived += (topic, payload, _) => State.Apply(topic, payload);
        _connection.Connected += () => logger.LogInformation("Fleet view connected to {Host}:{Port}", broker.Host, broker.Port);
        _connection.Refused += reason => logger.LogWarning("Fleet view: {Host}:{Port} refused the connection: {Reason}", broker.Host, broker.Port, reason);
        _connection.Failed += reason => logger.LogWarning("Fleet view: cannot reach {Host}:{Port}: {Reason}", broker.Host, broker.Port, reason);
    }

    public FleetState State { get; }

    public bool IsConnected => _connection.IsConnected;

    public void Start() => _connection.Start();

    public void Dispose() => _connection.Dispose();
}
