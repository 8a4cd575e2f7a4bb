using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Model.Onnx;
using LineWatch.Model.Onnx.Proto;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// One model loaded for timing: inputs and outputs allocated once, so a timed run measures ORT and the kernels
/// rather than our allocations.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly LoadedModel _model;
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _outputs;
    private readonly RunOptions _runOptions = new();

    public OrtRunner(ModelProto model, string scratchDirectory, ModelOptions options, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        IReadOnlyDictionary<string, long[]> outputs)
    {
        var path = Path.Combine(scratchDirectory, $"bench-{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Save(model, path);
        _model = OrtSessionFactory.Create(path, options, NullLogger.Instance);
        _inputNames = inputs.Keys.ToArray();
        _inputs = inputs.Values.Select(v => OrtValue.CreateTensorValueFromMemory(v.Data, v.Shape)).ToArray();
        _outputNames = outputs.Keys.ToArray();
        _outputs = outputs.Values.Select(shape => OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape)).ToArray();
    }

    public string ExecutionProvider => _model.ExecutionProvider;

    /// <summary>Runs once and returns the wall time in milliseconds.</summary>
    public double Run()
    {
        var start = Stopwatch.GetTimestamp();
        _model.Session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public ReadOnlySpan<float> Output(int index) => _outputs[index].GetTensorDataAsSpan<float>();

    public void Dispose()
    {
        foreach (var value in _inputs.Concat(_outputs)) value.Dispose();
        _runOptions.Dispose();
        _model.Dispose();
    }
}
