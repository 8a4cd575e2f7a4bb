using LineWatch.Model.Onnx;
using static LineWatch.Model.Onnx.Proto.TensorProto.Types;

namespace LineWatch.Model.Backbone;

/// <summary>
/// The selective scan in standard ONNX: an ONNX Scan over the token axis whose body advances the (B,D,N)
/// state by one token. Same contract as our custom op (see selective_scan.h), so the two graph variants must
/// agree; this one runs on any ONNX runtime and is the correctness reference, at a large cost in speed.
/// </summary>
public static class PortableScan
{
    /// <param name="channels">D of the scan (the mixer's inner width).</param>
    /// <param name="length">L, the number of tokens; fixed, because the masked variant needs to know the first step.</param>
    public static string Emit(OnnxGraphBuilder g, int channels, int state, int length, ScanFlags flags, string u, string delta, string a,
        string b, string c, string dSkip, string z, string deltaBias, string name)
    {

        // Everything that does not depend on the state is computed for all tokens at once, outside the loop.
        var dtRaw = g.Node("Add", [delta, g.Node("Unsqueeze", [deltaBias, g.Int64s($"{name}_ax1", [1])], $"{name}_bias_col")], $"{name}_dt_raw");
        var dt = flags.DeltaSoftplus ? g.Node("Softplus", [dtRaw], $"{name}_dt") : dtRaw;

        var first = flags.Reverse ? length - 1 : 0;
        var uFirst = g.Node("Gather", [u, g.Int64s($"{name}_first", [first], [])], $"{name}_u_first", attributes: OnnxAttribute.Int("axis", 2));
        var h0 = g.Node("Expand", [g.Node("Unsqueeze", [uFirst, g.Int64s($"{name}_ax2", [2])], $"{name}_u_first3"), g.Int64s($"{name}_state_shape", [1, 1, state])], $"{name}_u_first_n");
        if (!flags.InitFromInput) h0 = g.Node("Mul", [h0, g.Constant($"{name}_zero", [0f])], $"{name}_h0");

        var body = Body(channels, state, flags, a, name + "_body_");
        var outputs = g.NodeMulti("Scan", [h0, dt, u, b, c], 2, name + "_loop", attributes:
        [
            OnnxAttribute.Graph("body", body),
            OnnxAttribute.Int("num_scan_inputs", 4),
            OnnxAttribute.Ints("scan_input_axes", 2, 2, 2, 2),
            OnnxAttribute.Ints("scan_input_directions", Enumerable.Repeat(flags.Reverse ? 1L : 0L, 4).ToArray()),
            OnnxAttribute.Ints("scan_output_axes", 2),
            OnnxAttribute.Ints("scan_output_directions", flags.Reverse ? 1 : 0),
        ]);
        var y = outputs[1];                                                                                    // (B,Di,L)

        if (flags.MaskDiagonal)
        {
            // The first step of a masked scan outputs nothing of its own (y_0 = 0 before the skip and gate).
            var keep = Enumerable.Repeat(1f, length).ToArray();
            keep[first] = 0f;
            y = g.Node("Mul", [y, g.Constant($"{name}_keep", keep, length)], $"{name}_masked");
        }
        var skip = g.Node("Mul", [g.Node("Unsqueeze", [dSkip, g.Int64s($"{name}_ax1b", [1])], $"{name}_d_col"), u], $"{name}_skip");
        var gate = g.Node("Mul", [z, g.Node("Sigmoid", [z], $"{name}_z_sig")], $"{name}_gate");
        return g.Node("Mul", [g.Node("Add", [y, skip], $"{name}_y_skip"), gate], name);
    }

    /// <summary>One token: h = exp(dt·A)·h + dt·u·B;  y = Σ_n C·h  (or C·(h − dt·u·B) when masked).</summary>
    private static Onnx.Proto.GraphProto Body(int di, int n, ScanFlags flags, string a, string prefix)
    {
        var g = new OnnxGraphBuilder(prefix + "graph", namePrefix: prefix);
        var h = g.Input(prefix + "h", DataType.Float, "b", di, n);
        var dt = g.Input(prefix + "dt", DataType.Float, "b", di);
        var u = g.Input(prefix + "u", DataType.Float, "b", di);
        var bt = g.Input(prefix + "B", DataType.Float, "b", n);
        var ct = g.Input(prefix + "C", DataType.Float, "b", n);
        var axis1 = g.Int64s("axis1", [1]);
        var axis2 = g.Int64s("axis2", [2]);

        var decay = g.Node("Exp", [g.Node("Mul", [g.Node("Unsqueeze", [dt, axis2], "dt3"), a], "dt_a")], "decay");   // (b,Di,N); A from the outer graph
        var du = g.Node("Unsqueeze", [g.Node("Mul", [dt, u], "dt_u"), axis2], "dt_u3");                               // (b,Di,1)
        var input = g.Node("Mul", [du, g.Node("Unsqueeze", [bt, axis1], "b3")], "input");                           // (b,Di,N)
        var hNext = g.Node("Add", [g.Node("Mul", [decay, h], "decayed"), input], prefix + "h_next");
        var readout = flags.MaskDiagonal ? g.Node("Sub", [hNext, input], "h_without_self") : hNext;
        var y = g.Node("ReduceSum", [g.Node("Mul", [readout, g.Node("Unsqueeze", [ct, axis1], "c3")], "c_h"), axis2], prefix + "y",
            attributes: OnnxAttribute.Int("keepdims", 0));
        g.Output(hNext, DataType.Float, "b", di, n);
        g.Output(y, DataType.Float, "b", di);
        return g.BuildSubgraph();
    }
}
