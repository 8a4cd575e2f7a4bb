using LineWatch.Comms.Mqtt;
using Microsoft.Extensions.Hosting;

namespace LineWatch.Agent.Hosting;

/// <summary>Handles MQTT commands for the life of the agent (the listener subscribes before the connection starts).</summary>
internal sealed class MqttCommandService(MqttCommandListener listener) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        listener.Dispose();
        return Task.CompletedTask;
    }
}
