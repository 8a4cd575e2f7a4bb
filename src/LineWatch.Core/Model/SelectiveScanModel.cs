using LineWatch.Model.Onnx;
using static LineWatch.Model.Onnx.Proto.TensorProto.Types;

namespace LineWatch.Model;

/// <summary>The flags of our SelectiveScan operator (see src/native/ortops/selective_scan.h for the math).</summary>
public readonly record struct ScanFlags(bool Reverse = false, bool MaskDiagonal = false, bool InitFromInput = false, bool DeltaSoftplus = true)
{
    public OnnxAttribute[] ToAttributes() =>
    [
        OnnxAttribute.Int("reverse", Reverse ? 1 : 0),
        OnnxAttribute.Int("mask_diagonal", MaskDiagonal ? 1 : 0),
        OnnxAttribute.Int("init_from_input", InitFromInput ? 1 : 0),
        OnnxAttribute.Int("delta_softplus", DeltaSoftplus ? 1 : 0),
    ];
}

/// <summary>
/// A model of a single SelectiveScan node with every input a graph input: the smallest real use of the custom
/// op, for tests and the scan benchmark. Batch, channels, length and state are all dynamic.
/// </summary>
public static class SelectiveScanModel
{
    public const string Domain = "ai.linewatch";
    public const long DomainVersion = 1;

    public static readonly string[] InputNames = ["u", "delta", "A", "B", "C", "D", "z", "delta_bias"];

    public static Onnx.Proto.ModelProto Build(ScanFlags flags)
    {
        var graph = new OnnxGraphBuilder("selective_scan");
        graph.ImportDomain(Domain, DomainVersion);
        var u = graph.Input("u", DataType.Float, "batch", "channels", "length");
        var delta = graph.Input("delta", DataType.Float, "batch", "channels", "length");
        var a = graph.Input("A", DataType.Float, "channels", "state");
        var b = graph.Input("B", DataType.Float, "batch", "state", "length");
        var c = graph.Input("C", DataType.Float, "batch", "state", "length");
        var d = graph.Input("D", DataType.Float, "channels");
        var z = graph.Input("z", DataType.Float, "batch", "channels", "length");
        var bias = graph.Input("delta_bias", DataType.Float, "channels");
        graph.Node("SelectiveScan", [u, delta, a, b, c, d, z, bias], "y", Domain, flags.ToAttributes());
        graph.Output("y", DataType.Float, "batch", "channels", "length");
        return graph.Build(typeof(SelectiveScanModel).Assembly.GetName().Version?.ToString() ?? "0");
    }
}
