namespace LineWatch.Model.Backbone;

/// <summary>One weight tensor: its shape and its float32 values, row-major.</summary>
public sealed record WeightTensor(long[] Shape, float[] Data)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// A complete set of backbone weights under the official state-dict keys, checked against the spec so that a
/// graph is never built from a missing or mis-shaped tensor.
/// </summary>
public sealed class BackboneWeights
{
    private readonly Dictionary<string, WeightTensor> _tensors;

    public BackboneWeights(BackboneSpec spec, IReadOnlyDictionary<string, WeightTensor> tensors, string source)
    {
        var problems = new List<string>();
        _tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var (name, shape) in BackboneParameters.For(spec))
        {
            if (!tensors.TryGetValue(name, out var tensor)) problems.Add($"missing {name} {Shape(shape)}");
            else if (!tensor.Shape.SequenceEqual(shape)) problems.Add($"{name} is {Shape(tensor.Shape)}, expected {Shape(shape)}");
            else if (tensor.Data.Length != tensor.Count) problems.Add($"{name} holds {tensor.Data.Length} values for shape {Shape(tensor.Shape)}");
            else _tensors[name] = tensor;
        }
        if (problems.Count > 0) throw new ArgumentException($"weights from {source} do not fit {spec.Arch} {spec.SizeName}: " + string.Join("; ", problems));
        Source = source;
    }

    /// <summary>Where the weights came from ("random seed 0", a checkpoint path), recorded in the model's metadata.</summary>
    public string Source { get; }

    public WeightTensor this[string name] => _tensors[name];

    public static string Shape(long[] shape) => "(" + string.Join(",", shape) + ")";
}
