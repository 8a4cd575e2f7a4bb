using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch model build | inspect | run`: make, look into and try backbone models.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Build, inspect and run backbone ONNX models");
        command.Subcommands.Add(Build());
        command.Subcommands.Add(Inspect());
        command.Subcommands.Add(ModelRunCommand.Create());
        return command;
    }

    private static Command Build()
    {
        var spec = new BackboneOptions();
        var weights = new Option<string>("--weights") { Description = "random, or an official VideoMamba checkpoint (.pth)", DefaultValueFactory = _ => "random" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random weights", DefaultValueFactory = _ => 0 };
        var scan = new Option<ScanKind>("--scan") { Description = "custom: our SelectiveScan op; portable: standard ONNX Scan", DefaultValueFactory = _ => ScanKind.Custom };
        var output = new Option<string>("--out", "-o") { Description = "The .onnx file to write", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var command = new Command("build", "Write a VideoMamba / VideoMambaPro backbone as an ONNX model") { weights, seed, scan, output, json };
        spec.AddTo(command);
        command.SetAction(parse =>
        {
            if (!spec.TryCreate(parse, out var backbone, out var error)) return Fail(error);
            var stopwatch = Stopwatch.StartNew();
            BackboneWeights loaded;
            try
            {
                var source = parse.GetValue(weights)!;
                loaded = source == "random"
                    ? RandomWeights.Create(backbone, parse.GetValue(seed))
                    : CheckpointWeights.Load(backbone, source);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or Model.Checkpoints.CheckpointFormatException)
            {
                return Fail(e.Message);
            }
            var model = BackboneGraph.Build(backbone, loaded, parse.GetValue(scan));
            var path = Path.GetFullPath(parse.GetValue(output)!);
            OnnxModelFile.Save(model, path);
            var summary = ModelSummary.Of(model, path);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else Console.Write(summary.ToText() + $"built in {stopwatch.Elapsed.TotalSeconds:0.0} s{Environment.NewLine}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Inspect()
    {
        var file = new Argument<string>("file") { Description = "An ONNX model" };
        var json = new Option<bool>("--json") { Description = "Print as JSON" };
        var command = new Command("inspect", "Show a model's inputs, outputs, opsets, custom domains, parameters and metadata") { file, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            ModelSummary summary;
            try
            {
                summary = ModelSummary.Of(OnnxModelFile.Load(path), Path.GetFullPath(path));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return Fail(e.Message);
            }
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else Console.Write(summary.ToText());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"linewatch: {message}");
        return ExitCodes.InvalidConfiguration;
    }
}
