using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Model.Onnx;
using LineWatch.Model.Onnx.Proto;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

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

    /// <param name="halfTensors">Inputs and outputs the model holds in fp16; they are converted from and to float here.</param>
    public OrtRunner(ModelProto model, string scratchDirectory, ModelOptions options, IReadOnlyDictionary<string, (float[] Data, long[] Shape)> inputs,
        IReadOnlyDictionary<string, long[]> outputs, IReadOnlySet<string>? halfTensors = null)
    {
        var path = Path.Combine(scratchDirectory, $"bench-{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Save(model, path);
        _model = OrtSessionFactory.Create(path, options, NullLogger.Instance);
        bool Half(string name) => halfTensors?.Contains(name) == true;
        _inputNames = inputs.Keys.ToArray();
        _inputs = inputs.Select(kv => Half(kv.Key)
            ? OrtValue.CreateTensorValueFromMemory(kv.Value.Data.Select(v => (Float16)v).ToArray(), kv.Value.Shape)
            : OrtValue.CreateTensorValueFromMemory(kv.Value.Data, kv.Value.Shape)).ToArray();
        _outputNames = outputs.Keys.ToArray();
        _outputs = outputs.Select(kv => Half(kv.Key)
            ? OrtValue.CreateTensorValueFromMemory(new Float16[Elements(kv.Value)], kv.Value)
            : OrtValue.CreateTensorValueFromMemory(new float[Elements(kv.Value)], kv.Value)).ToArray();
    }

    private static long Elements(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    public string ExecutionProvider => _model.ExecutionProvider;

    /// <summary>Runs once and returns the wall time in milliseconds.</summary>
    public double Run()
    {
        var start = Stopwatch.GetTimestamp();
        _model.Session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public float[] Output(int index) => _outputs[index].GetTensorTypeAndShape().ElementDataType == TensorElementType.Float16
        ? _outputs[index].GetTensorDataAsSpan<Float16>().ToArray().Select(v => (float)v).ToArray()
        : _outputs[index].GetTensorDataAsSpan<float>().ToArray();

    public void Dispose()
    {
        foreach (var value in _inputs.Concat(_outputs)) value.Dispose();
        _runOptions.Dispose();
        _model.Dispose();
    }
}
