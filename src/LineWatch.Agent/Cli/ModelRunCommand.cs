using System.CommandLine;
using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Model.Backbone;
using LineWatch.Model.Numpy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch model run`: one forward pass of a model on a NumPy input, e.g. to compare with PyTorch.</summary>
internal static class ModelRunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "An ONNX model (custom ops are registered automatically)" };
        var input = new Option<string>("--input") { Description = "A .npy float32 array for the model's input", Required = true };
        var output = new Option<string>("--output") { Description = "The .npy file to write", Required = true };
        var outputName = new Option<string>("--output-name") { Description = "Which model output to write", DefaultValueFactory = _ => BackboneGraph.EmbeddingName };
        var ep = new Option<ModelDevice>("--ep") { Description = "cpu, cuda or auto", DefaultValueFactory = _ => ModelDevice.Cpu };
        var command = new Command("run", "Run a model on a .npy input and write one output as .npy") { file, input, output, outputName, ep };
        command.SetAction(parse =>
        {
            try
            {
                var (shape, data) = NpyFile.Read(parse.GetValue(input)!);
                using var model = OrtSessionFactory.Create(Path.GetFullPath(parse.GetValue(file)!), new ModelOptions { Device = parse.GetValue(ep) }, NullLogger.Instance);
                var session = model.Session;
                var (inputName, metadata) = session.InputMetadata.Single();
                var expected = metadata.Dimensions;
                if (expected.Length != shape.Length || expected.Where((d, i) => d > 0 && d != shape[i]).Any())
                {
                    throw new InvalidDataException($"input is ({string.Join(",", shape)}) but {inputName} wants ({string.Join(",", expected.Select(d => d > 0 ? d.ToString() : "any"))})");
                }
                var name = parse.GetValue(outputName)!;
                if (!session.OutputMetadata.ContainsKey(name)) throw new InvalidDataException($"the model has no output '{name}'; it has {string.Join(", ", session.OutputMetadata.Keys)}");
                using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
                using var results = session.Run(new RunOptions(), [inputName], [value], [name]);
                var result = results[0];
                NpyFile.Write(parse.GetValue(output)!, result.GetTensorDataAsSpan<float>(), result.GetTensorTypeAndShape().Shape);
                Console.WriteLine($"{name} ({string.Join(",", result.GetTensorTypeAndShape().Shape)}) on {model.ExecutionProvider} -> {parse.GetValue(output)}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ModelLoadException or OnnxRuntimeException)
            {
                Console.Error.WriteLine($"linewatch: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
