using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// The agent's MQTT side: in embedded mode the supervised local Mosquitto, then the connection with what rides
/// on it — the command listener and Home Assistant discovery hook in first, so nothing misses the first
/// connect — and the publisher (availability, alert events through the durable outbox). Stopping says
/// <c>offline</c> before the broker goes.
/// </summary>
internal sealed class MqttService(AgentOptions options, MqttPublisher publisher, MqttCommandListener commands, HomeAssistantDiscovery discovery,
    ILoggerFactory loggers) : IHostedService, IDisposable
{
    private EmbeddedBroker? _broker;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Mqtt.Mode == MqttMode.Embedded)
        {
            _broker = new EmbeddedBroker(options.Mqtt, options.AgentId, options.DataDir, loggers.CreateLogger<EmbeddedBroker>());
            _broker.Start();
        }
        commands.Start();
        discovery.Start();
        publisher.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        publisher.Stop();
        commands.Dispose();
        _broker?.Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => _broker?.Dispose();
}
