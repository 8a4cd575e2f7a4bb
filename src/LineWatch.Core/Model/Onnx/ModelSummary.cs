using System.Text;
using LineWatch.Model.Onnx.Proto;

namespace LineWatch.Model.Onnx;

/// <summary>What `model build` and `model inspect` print about an ONNX model.</summary>
public sealed record ModelSummary(
    string Path,
    long FileBytes,
    long IrVersion,
    string Producer,
    IReadOnlyDictionary<string, long> Opsets,
    IReadOnlyList<string> CustomDomains,
    IReadOnlyList<ModelSummary.Value> Inputs,
    IReadOnlyList<ModelSummary.Value> Outputs,
    int Nodes,
    IReadOnlyDictionary<string, int> Operators,
    long Parameters,
    IReadOnlyDictionary<string, string> Metadata)
{
    public sealed record Value(string Name, string Type, IReadOnlyList<string> Shape);

    /// <summary>Metadata key under which LineWatch records the learned-parameter count (initializers also hold constants).</summary>
    public const string ParametersKey = "linewatch.parameters";

    public static ModelSummary Of(ModelProto model, string path)
    {
        var opsets = model.OpsetImport.ToDictionary(o => o.Domain.Length == 0 ? "ai.onnx" : o.Domain, o => o.Version);
        var metadata = model.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        var parameters = metadata.TryGetValue(ParametersKey, out var recorded) && long.TryParse(recorded, out var count)
            ? count
            : model.Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        return new ModelSummary(
            path,
            File.Exists(path) ? new FileInfo(path).Length : 0,
            model.IrVersion,
            $"{model.ProducerName} {model.ProducerVersion}".Trim(),
            opsets,
            opsets.Keys.Where(d => d is not ("ai.onnx" or "ai.onnx.ml")).ToArray(),
            model.Graph.Input.Where(i => model.Graph.Initializer.All(t => t.Name != i.Name)).Select(Describe).ToArray(),
            model.Graph.Output.Select(Describe).ToArray(),
            model.Graph.Node.Count,
            model.Graph.Node.GroupBy(n => n.Domain.Length == 0 ? n.OpType : $"{n.Domain}::{n.OpType}")
                .OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count()),
            parameters,
            metadata);
    }

    private static Value Describe(ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType;
        var type = tensor is null ? "?" : ((TensorProto.Types.DataType)tensor.ElemType).ToString().ToLowerInvariant();
        var shape = tensor?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString() : d.DimParam).ToArray() ?? [];
        return new Value(value.Name, type, shape);
    }

    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine($"model       {Path} ({FileBytes / 1e6:0.0} MB)");
        text.AppendLine($"producer    {Producer}, IR {IrVersion}, opsets {string.Join(", ", Opsets.Select(o => $"{o.Key} {o.Value}"))}");
        text.AppendLine($"custom ops  {(CustomDomains.Count == 0 ? "none (standard ONNX only)" : string.Join(", ", CustomDomains))}");
        foreach (var input in Inputs) text.AppendLine($"input       {input.Name} {input.Type} [{string.Join(",", input.Shape)}]");
        foreach (var output in Outputs) text.AppendLine($"output      {output.Name} {output.Type} [{string.Join(",", output.Shape)}]");
        text.AppendLine($"parameters  {Parameters:N0} ({Parameters / 1e6:0.00} M)");
        text.AppendLine($"nodes       {Nodes}: {string.Join(", ", Operators.Select(o => $"{o.Key} {o.Value}"))}");
        foreach (var (key, value) in Metadata) text.AppendLine($"metadata    {key} = {value}");
        return text.ToString();
    }
}
