using LineWatch.Model.Backbone;
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

    public static Onnx.Proto.ModelProto Build(ScanFlags flags) => Build(flags, null, half: false);

    /// <summary>
    /// The op with fp16 activations (u, delta, B, C, z, y; A, D and delta_bias stay fp32), which only the CUDA
    /// kernel implements: for GPU parity checks and timings.
    /// </summary>
    public static Onnx.Proto.ModelProto BuildHalf(ScanFlags flags) => Build(flags, null, half: true);

    /// <summary>The inputs (and the output) that <see cref="BuildHalf"/> holds in fp16.</summary>
    public static readonly IReadOnlySet<string> HalfTensors = new HashSet<string> { "u", "delta", "B", "C", "z", "y" };

    /// <summary>
    /// The same single scan in standard ONNX (<see cref="PortableScan"/>), for the benchmark's side-by-side run.
    /// Its channel, state and length sizes are fixed because the portable scan needs them at build time.
    /// </summary>
    public static Onnx.Proto.ModelProto BuildPortable(ScanFlags flags, int channels, int state, int length) =>
        Build(flags, (channels, state, length), half: false);

    private static Onnx.Proto.ModelProto Build(ScanFlags flags, (int Channels, int State, int Length)? portable, bool half)
    {
        var activations = half ? DataType.Float16 : DataType.Float;
        var graph = new OnnxGraphBuilder("selective_scan");
        OnnxDim channels = portable is { } p1 ? p1.Channels : "channels";
        OnnxDim state = portable is { } p2 ? p2.State : "state";
        OnnxDim length = portable is { } p3 ? p3.Length : "length";
        var u = graph.Input("u", activations, "batch", channels, length);
        var delta = graph.Input("delta", activations, "batch", channels, length);
        var a = graph.Input("A", DataType.Float, channels, state);
        var b = graph.Input("B", activations, "batch", state, length);
        var c = graph.Input("C", activations, "batch", state, length);
        var d = graph.Input("D", DataType.Float, channels);
        var z = graph.Input("z", activations, "batch", channels, length);
        var bias = graph.Input("delta_bias", DataType.Float, channels);
        if (portable is { } p)
        {
            var y = PortableScan.Emit(graph, p.Channels, p.State, p.Length, flags, u, delta, a, b, c, d, z, bias, "scan");
            graph.Node("Identity", [y], "y");
        }
        else
        {
            graph.ImportDomain(Domain, DomainVersion);
            graph.Node("SelectiveScan", [u, delta, a, b, c, d, z, bias], "y", Domain, flags.ToAttributes());
        }
        graph.Output("y", activations, "batch", channels, length);
        return graph.Build(Diagnostics.AppVersion.Current);
    }
}
