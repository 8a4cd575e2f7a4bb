using LineWatch.Configuration;
using LineWatch.Inference;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Owns the backbone's ORT session for the life of the agent. A model that cannot be loaded is reported with
/// its reason and leaves the agent running (cameras, broker and dashboard stay up) rather than crash-looping.
/// </summary>
internal sealed class ModelService(AgentOptions options, ILogger<ModelService> logger) : IHostedService, IDisposable
{
    public LoadedModel? Model { get; private set; }
    public string? LoadError { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            Model = OrtSessionFactory.Create(options.Model.Path, options.Model, logger);
        }
        catch (ModelLoadException e)
        {
            LoadError = e.Message;
            logger.LogError("Model not loaded: {Reason}", e.Message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        // The host disposes this twice (as a singleton and as a hosted service); the session only once.
        Model?.Dispose();
        Model = null;
    }
}
