using LineWatch.Configuration;
using LineWatch.Fleet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>With <c>Fleet:Enabled</c>: the view of every agent on the central broker, for the dashboard's fleet page.</summary>
internal sealed class FleetService : IHostedService, IDisposable
{
    public FleetService(AgentOptions options, ILogger<FleetService> logger)
    {
        if (options.Fleet.Enabled) Watcher = new FleetWatcher(options.Fleet.CentralBroker(options.Mqtt), TimeProvider.System, logger);
    }

    /// <summary>Null unless the fleet page is enabled.</summary>
    public FleetWatcher? Watcher { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Watcher?.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => Watcher?.Dispose();
}
