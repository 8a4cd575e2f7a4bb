using LineWatch.Comms.Webhooks;
using Microsoft.Extensions.Hosting;

namespace LineWatch.Agent.Hosting;

/// <summary>Starts the webhooks' senders with the agent (so what earlier runs left queued goes out before any new alert) and stops them with it.</summary>
internal sealed class WebhookService(WebhookDispatcher webhooks) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        webhooks.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        webhooks.Stop();
        return Task.CompletedTask;
    }
}
