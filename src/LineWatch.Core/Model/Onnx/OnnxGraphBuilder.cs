using System.Runtime.InteropServices;
using Google.Protobuf;
using LineWatch.Model.Onnx.Proto;

namespace LineWatch.Model.Onnx;

/// <summary>
/// Writes ONNX models node by node: inputs, initializers (weights), nodes and outputs, then a ModelProto with
/// the opset imports. Names are made unique by the builder, so callers can reuse readable prefixes.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>IR version 8 is what opset 17 ships with (ONNX 1.12); every ONNX Runtime since 1.12 reads it.</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly string _prefix;
    private readonly Dictionary<string, int> _nameCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _domains = new(StringComparer.Ordinal);

    /// <param name="namePrefix">Prepended to generated names; subgraphs use one so their names never shadow the outer graph's.</param>
    public OnnxGraphBuilder(string graphName, int opset = 17, string namePrefix = "")
    {
        _graph = new GraphProto { Name = graphName };
        _domains[""] = opset;
        _prefix = namePrefix;
    }

    /// <summary>Total number of scalar weights in the initializers added so far.</summary>
    public long ParameterCount { get; private set; }

    public string Input(string name, TensorProto.Types.DataType type, params OnnxDim[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        Reserve(name);
        return name;
    }

    public void Output(string name, TensorProto.Types.DataType type, params OnnxDim[] dims) =>
        _graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a float32 weight; it counts towards <see cref="ParameterCount"/> unless it is a constant of the graph.</summary>
    public string Weight(string name, ReadOnlySpan<float> values, long[] dims, bool countAsParameter = true)
    {
        CheckSize(name, values.Length, dims);
        var tensor = new TensorProto
        {
            Name = Unique(name),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)),
        };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        if (countAsParameter) ParameterCount += values.Length;
        return tensor.Name;
    }

    /// <summary>Adds an int64 constant (shapes, axes, indices).</summary>
    public string Int64s(string name, ReadOnlySpan<long> values, long[]? dims = null)
    {
        dims ??= [values.Length];
        CheckSize(name, values.Length, dims);
        var tensor = new TensorProto
        {
            Name = Unique(name),
            DataType = (int)TensorProto.Types.DataType.Int64,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)),
        };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string? outputName = null, string domain = "",
        params OnnxAttribute[] attributes) =>
        NodeMulti(opType, inputs, 1, outputName, domain, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs (e.g. Split) and returns their names.</summary>
    public string[] NodeMulti(string opType, IReadOnlyList<string> inputs, int outputCount, string? outputName = null,
        string domain = "", params OnnxAttribute[] attributes)
    {
        if (domain.Length > 0 && !_domains.ContainsKey(domain))
        {
            throw new InvalidOperationException($"domain '{domain}' is used before it was imported; call ImportDomain first");
        }
        var baseName = outputName ?? opType.ToLowerInvariant();
        var node = new NodeProto { OpType = opType, Domain = domain, Name = Unique(baseName + "_node") };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = outputName is not null && outputCount == 1 && !_nameCounts.ContainsKey(outputName)
                ? Reserve(outputName)
                : Unique(outputCount == 1 ? baseName : $"{baseName}_{i}");
        }
        node.Output.AddRange(outputs);
        foreach (var attribute in attributes) node.Attribute.Add(attribute.ToProto());
        _graph.Node.Add(node);
        return outputs;
    }

    public void ImportDomain(string domain, long version) => _domains[domain] = version;

    /// <summary>The graph alone, for use as a subgraph attribute (its outer graph holds the opset imports).</summary>
    public GraphProto BuildSubgraph() => _graph;

    /// <summary>A float32 constant that is not a learned parameter (epsilons, masks, exponents).</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims) => Weight(name, values, dims, countAsParameter: false);

    public ModelProto Build(string producerVersion, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "linewatch",
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        foreach (var (domain, version) in _domains)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }
        }
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, OnnxDim[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim.Symbol is null
                ? new TensorShapeProto.Types.Dimension { DimValue = dim.Size }
                : new TensorShapeProto.Types.Dimension { DimParam = dim.Symbol });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static void CheckSize(string name, int count, long[] dims)
    {
        long expected = 1;
        foreach (var d in dims) expected *= d;
        if (expected != count)
        {
            throw new ArgumentException($"initializer '{name}': {count} values do not fill shape [{string.Join(",", dims)}]");
        }
    }

    private string Reserve(string name)
    {
        if (!_nameCounts.TryAdd(name, 1)) throw new InvalidOperationException($"name '{name}' is already used in the graph");
        return name;
    }

    private string Unique(string name)
    {
        name = _prefix + name;
        if (_nameCounts.TryAdd(name, 1)) return name;
        string candidate;
        do
        {
            candidate = $"{name}_{_nameCounts[name]++}";
        }
        while (_nameCounts.ContainsKey(candidate));
        _nameCounts[candidate] = 1;
        return candidate;
    }
}
