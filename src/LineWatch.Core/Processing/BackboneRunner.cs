using LineWatch.Inference;
using LineWatch.Model.Backbone;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.Processing;

/// <summary>
/// Runs batches of clips through the backbone with IO binding: the input batch buffer, the outputs and one
/// binding per batch size are created once, so a run copies the clips in and allocates nothing. On CUDA, ORT
/// moves the bound buffers to and from the device itself.
/// </summary>
public sealed class BackboneRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly float[] _embedding;
    private readonly float[] _tokens;
    private readonly OrtIoBinding[] _bindings;
    private readonly List<OrtValue> _values = [];

    public BackboneRunner(LoadedModel model, int maxBatch)
    {
        _session = model.Session;
        ExecutionProvider = model.ExecutionProvider;
        Shape = ReadShape(model);
        EmbeddingSize = OutputSize(BackboneGraph.EmbeddingName, 1);
        TokensSize = OutputSize(BackboneGraph.TokensName, 1);
        MaxBatch = maxBatch;

        _input = new float[maxBatch * Shape.ClipFloats];
        _embedding = new float[maxBatch * EmbeddingSize];
        _tokens = new float[maxBatch * TokensSize];
        _bindings = new OrtIoBinding[maxBatch + 1];
        var tokenShape = _session.OutputMetadata[BackboneGraph.TokensName].Dimensions;
        for (var b = 1; b <= maxBatch; b++)
        {
            var binding = _session.CreateIoBinding();
            binding.BindInput(BackboneGraph.InputName, Value(_input, b * Shape.ClipFloats, [b, 3, Shape.Frames, Shape.ImageSize, Shape.ImageSize]));
            binding.BindOutput(BackboneGraph.EmbeddingName, Value(_embedding, b * EmbeddingSize, [b, EmbeddingSize]));
            binding.BindOutput(BackboneGraph.TokensName, Value(_tokens, b * TokensSize, [b, tokenShape[1], tokenShape[2], tokenShape[3], tokenShape[4]]));
            _bindings[b] = binding;
        }
    }

    public ClipShape Shape { get; }
    public string ExecutionProvider { get; }
    public int MaxBatch { get; }
    public int EmbeddingSize { get; }
    public int TokensSize { get; }

    /// <summary>The input slot of batch position <paramref name="index"/>, to copy a clip into.</summary>
    public Span<float> InputSlot(int index) => _input.AsSpan(index * Shape.ClipFloats, Shape.ClipFloats);

    public void Run(int batch) => _session.RunWithBinding(_runOptions, _bindings[batch]);

    public ReadOnlyMemory<float> Embedding(int index) => _embedding.AsMemory(index * EmbeddingSize, EmbeddingSize);
    public ReadOnlyMemory<float> Tokens(int index) => _tokens.AsMemory(index * TokensSize, TokensSize);

    /// <summary>T and S come from the model file; only the batch may be dynamic.</summary>
    private static ClipShape ReadShape(LoadedModel model)
    {
        if (!model.Session.InputMetadata.TryGetValue(BackboneGraph.InputName, out var input))
        {
            throw new ModelLoadException($"{model.Path} has no '{BackboneGraph.InputName}' input; it is not a LineWatch backbone");
        }
        var dims = input.Dimensions;
        if (dims.Length != 5 || dims[1] != 3 || dims[2] <= 0 || dims[3] <= 0 || dims[3] != dims[4])
        {
            throw new ModelLoadException($"{model.Path}: input '{BackboneGraph.InputName}' is [{string.Join(",", dims)}]; expected [batch,3,T,S,S] with fixed T and S");
        }
        foreach (var output in new[] { BackboneGraph.EmbeddingName, BackboneGraph.TokensName })
        {
            if (!model.Session.OutputMetadata.ContainsKey(output)) throw new ModelLoadException($"{model.Path} has no '{output}' output");
        }
        return new ClipShape(dims[2], dims[3]);
    }

    private int OutputSize(string name, int firstDim)
    {
        var dims = _session.OutputMetadata[name].Dimensions;
        var size = 1;
        for (var i = firstDim; i < dims.Length; i++) size *= dims[i];
        return size;
    }

    private OrtValue Value(float[] buffer, int length, long[] shape)
    {
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, length), shape);
        _values.Add(value);
        return value;
    }

    public void Dispose()
    {
        foreach (var binding in _bindings) binding?.Dispose();
        foreach (var value in _values) value.Dispose();
        _runOptions.Dispose();
    }
}
