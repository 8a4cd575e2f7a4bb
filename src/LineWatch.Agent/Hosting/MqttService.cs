using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// The agent's MQTT side: in embedded mode the supervised local Mosquitto, then the publisher (availability,
/// alert events through the durable outbox). Stopping says <c>offline</c> before the broker goes.
/// </summary>
internal sealed class MqttService(AgentOptions options, MqttPublisher publisher, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private EmbeddedBroker? _broker;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Mqtt.Mode == MqttMode.Embedded)
        {
            _broker = new EmbeddedBroker(options.Mqtt, options.DataDir, loggers.CreateLogger<EmbeddedBroker>());
            _broker.Start();
        }
        publisher.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        publisher.Stop();
        _broker?.Stop();
        return Task.CompletedTask;
    }

    public void Dispose() => _broker?.Dispose();
}
