using LineWatch.Configuration;
using LineWatch.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// Runs the analysis pipeline for the life of the agent, once the model is loaded. Without a model the agent
/// stays up (the reason is logged by the model service) and analyses nothing.
/// </summary>
internal sealed class PipelineService(AgentConfiguration config, ModelService model, IEnumerable<IWindowSink> sinks,
    ILoggerFactory loggers, ILogger<PipelineService> logger) : IHostedService, IDisposable
{
    public Pipeline? Pipeline { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (model.Model is null)
        {
            logger.LogWarning("Analysis not started: no model loaded");
            return Task.CompletedTask;
        }
        try
        {
            Pipeline = new Pipeline(config.Options, config.CameraSources, model.Model, scorer: null, sinks.ToList(), loggers);
        }
        catch (Inference.ModelLoadException e)
        {
            logger.LogError("Analysis not started: {Reason}", e.Message);
            return Task.CompletedTask;
        }
        Pipeline.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Pipeline?.Stop(TimeSpan.FromSeconds(Math.Max(1, config.Options.ShutdownTimeoutSeconds / 2)));
        return Task.CompletedTask;
    }

    public void Dispose() => Pipeline?.Dispose();
}
