using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using LineWatch.Agent.Logging;
using LineWatch.Capture;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Inference;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace LineWatch.Agent.Cli;

/// <summary>
/// `linewatch check`: tries everything `run` would need, once — the configuration, the custom-op library, the
/// model on its execution provider, each camera (one frame), the broker — and prints what worked and why not.
/// </summary>
internal static class CheckCommand
{
    private static readonly TimeSpan CameraTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(5);

    internal sealed record CheckItem(string Item, bool Ok, string Detail);

    public static Command Create(Option<string?> config)
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("check", "Validate the configuration and try the model, cameras and broker once; exit 0 only if all work") { json };
        command.SetAction(parse =>
        {
            var configuration = ConfigLoading.TryLoad(parse.GetValue(config), Console.Error);
            if (configuration is null) return ExitCodes.InvalidConfiguration;

            var secrets = SecretValues.From(configuration.Options);
            using var serilog = AgentLogging.ForCommand(secrets);
            using var loggerFactory = new SerilogLoggerFactory(serilog);
            var items = Run(configuration, loggerFactory.CreateLogger("check"))
                .Select(i => i with { Detail = SecretValues.Scrub(i.Detail, secrets) })
                .ToList();

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { config = configuration.FilePath, ok = items.All(i => i.Ok), items }, CliJson.Options));
            }
            else
            {
                Console.WriteLine($"LineWatch check of {configuration.FilePath}");
                foreach (var item in items) Console.WriteLine($"  [{(item.Ok ? "ok" : "FAIL")}] {item.Item}: {item.Detail}");
                var failures = items.Count(i => !i.Ok);
                Console.WriteLine(failures == 0 ? "all checks passed" : $"{failures} check(s) failed");
            }
            return items.All(i => i.Ok) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static IEnumerable<CheckItem> Run(AgentConfiguration configuration, Microsoft.Extensions.Logging.ILogger logger)
    {
        var options = configuration.Options;
        yield return new("configuration", true, $"valid; agent {options.AgentId}, {options.Cameras.Count} camera(s), data in {options.DataDir}");
        yield return CheckCustomOps(options.Model);
        yield return CheckModel(options.Model, logger);
        for (var i = 0; i < options.Cameras.Count; i++) yield return CheckCamera(options.Cameras[i], configuration.CameraSources[i]);
        yield return CheckBroker(options);
        yield return CheckClips(options.Clips);
    }

    /// <summary>With event clips on: an ffmpeg that can encode H.264 (libx264), or every alert's clip would fail.</summary>
    private static CheckItem CheckClips(ClipOptions clips)
    {
        if (!clips.Enabled) return new("event clips", true, "off (Clips:Enabled)");
        try
        {
            using var process = Process.Start(new ProcessStartInfo(clips.FfmpegPath, "-hide_banner -encoders") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var encoders = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            return encoders.Contains(" libx264 ", StringComparison.Ordinal)
                ? new("event clips", true, $"{clips.FfmpegPath} encodes H.264 (libx264); {clips.PreRollSeconds:0.#} s before to {clips.PostRollSeconds:0.#} s after each alert")
                : new("event clips", false, $"{clips.FfmpegPath} has no libx264 encoder: clips cannot be written (Debian's ffmpeg has it)");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new("event clips", false, $"Clips:FfmpegPath {clips.FfmpegPath} cannot be run: {e.Message} (Debian package ffmpeg)");
        }
    }

    private static CheckItem CheckCustomOps(ModelOptions model)
    {
        var path = OrtSessionFactory.ResolveCustomOpLibrary(model);
        try
        {
            return new("custom-op library", true, $"{path}: {CustomOpLibrary.Describe(path)}");
        }
        catch (ModelLoadException e)
        {
            return new("custom-op library", false, e.Message);
        }
    }

    private static CheckItem CheckModel(ModelOptions model, Microsoft.Extensions.Logging.ILogger logger)
    {
        try
        {
            using var loaded = OrtSessionFactory.Create(model.Path, model, logger);
            var inputs = string.Join(", ", loaded.Session.InputMetadata.Select(m => $"{m.Key}[{string.Join(",", m.Value.Dimensions)}]"));
            var outputs = string.Join(", ", loaded.Session.OutputMetadata.Keys);
            return new("model", true, $"{model.Path} on {loaded.ExecutionProvider}; inputs {inputs}; outputs {outputs}");
        }
        catch (ModelLoadException e)
        {
            return new("model", false, e.Message);
        }
    }

    private static CheckItem CheckCamera(CameraOptions camera, CameraSource source)
    {
        var item = $"camera {camera.Name}";
        if (!camera.Enabled) return new(item, true, "disabled, not opened");
        try
        {
            using var video = VideoSource.Open(source.Location, CameraTimeout, CameraTimeout);
            if (!video.TryRead(out var frame)) return new(item, false, $"{source.Display} opened but delivered no frame");
            var info = video.Info;
            return new(item, true, $"{source.Kind.ToString().ToLowerInvariant()} {source.Display}: {frame.Width}x{frame.Height}, {info.Fps:0.##} fps, via {info.Backend}");
        }
        catch (VideoSourceException e)
        {
            return new(item, false, e.Message); // capture errors carry no URL credentials (VideoSourceException)
        }
    }

    private static CheckItem CheckBroker(AgentOptions options)
    {
        var mqtt = options.Mqtt;
        if (mqtt.Mode == MqttMode.Embedded)
        {
            if (!File.Exists(mqtt.MosquittoPath)) return new("broker", false, $"embedded mode needs Mosquitto, but {mqtt.MosquittoPath} does not exist (Debian package mosquitto)");
            return new("broker", true, $"embedded: the agent will run {MosquittoVersion(mqtt.MosquittoPath)} on 127.0.0.1:{mqtt.Port}");
        }
        var result = BrokerProbe.Probe(mqtt, mqtt.ClientId.Length > 0 ? mqtt.ClientId : options.AgentId, BrokerTimeout);
        return new("broker", result.Connected, result.Detail);
    }

    private static string MosquittoVersion(string path)
    {
        // `mosquitto -h` prints "mosquitto version 2.0.11" first and exits non-zero; that is all we need from it.
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "-h") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var first = process.StandardOutput.ReadLine() ?? "";
            process.WaitForExit(2000);
            return first.StartsWith("mosquitto version", StringComparison.Ordinal) ? first : path;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return path;
        }
    }
}
