using LineWatch.Diagnostics;
using LineWatch.Model.Onnx;
using LineWatch.Model.Onnx.Proto;
using static LineWatch.Model.Onnx.Proto.TensorProto.Types;

namespace LineWatch.Model.Backbone;

/// <summary>
/// Writes the VideoMamba / VideoMambaPro backbone as an ONNX graph (opset 17).
///
/// Input  video (B,3,T,S,S), ImageNet-normalised. Outputs embedding (B,D): the final-normed class token;
/// tokens (B,T,S/16,S/16,D): the final-normed patch tokens; logits (B,classes) when a head is requested.
///
/// The residual stream is kept channels-first, (B,D,L), the whole way: every projection is then a MatMul of a
/// weight (out,in) with the activations (B,in,L), the depthwise convolutions are plain 1-D Convs, and the scan
/// receives u, delta, z as (B,D,L) and B, C as (B,N,L) exactly as its contract wants, with no transposes
/// inside a block. The backward branch is never flipped: its causal conv on the reversed sequence is an
/// anti-causal conv with the kernel reversed, and the scan runs right-to-left (reverse=1).
/// </summary>
public static class BackboneGraph
{
    public const string InputName = "video";
    public const string EmbeddingName = "embedding";
    public const string TokensName = "tokens";
    public const string LogitsName = "logits";
    public const string BatchDim = "batch";

    public static ModelProto Build(BackboneSpec spec, BackboneWeights weights, ScanKind scan)
    {
        var g = new OnnxGraphBuilder($"{spec.Arch}-{spec.SizeName}".ToLowerInvariant());
        if (scan == ScanKind.Custom) g.ImportDomain(SelectiveScanModel.Domain, SelectiveScanModel.DomainVersion);
        var w = new WeightReader(g, weights);

        var video = g.Input(InputName, DataType.Float, BatchDim, 3, spec.Frames, spec.ImageSize, spec.ImageSize);
        var x = Embed(g, w, spec, video);

        string? residual = null, hidden = x;
        for (var i = 0; i < spec.Depth; i++)
        {
            residual = residual is null ? hidden : g.Node("Add", [residual, hidden], $"l{i}_residual");
            var normed = RmsNorm(g, w, residual, $"layers.{i}.norm.weight", $"l{i}_norm");
            hidden = Mixer(g, w, spec, scan, normed, i);
        }
        var final = RmsNorm(g, w, g.Node("Add", [residual!, hidden], "final_residual"), "norm_f.weight", "norm_f");

        // Class token: position 0 of the sequence axis.
        var embedding = g.Node("Gather", [final, g.Int64s("zero_index", [0], [])], EmbeddingName, attributes: OnnxAttribute.Int("axis", 2));
        g.Output(embedding, DataType.Float, BatchDim, spec.Dim);

        var patches = g.Node("Slice", [final, g.Int64s("one", [1]), g.Int64s("seq_end", [spec.Tokens]), g.Int64s("seq_axis", [2])], "patch_tokens");
        var patchesLast = g.Node("Transpose", [patches], "patch_tokens_bld", attributes: OnnxAttribute.Ints("perm", 0, 2, 1));
        var tokens = g.Node("Reshape", [patchesLast, g.Int64s("tokens_shape", [0, spec.Frames, spec.Grid, spec.Grid, spec.Dim])], TokensName);
        g.Output(tokens, DataType.Float, BatchDim, spec.Frames, spec.Grid, spec.Grid, spec.Dim);

        if (spec.HeadClasses > 0)
        {
            var logits = g.Node("Gemm", [embedding, w["head.weight"], w["head.bias"]], LogitsName, attributes: OnnxAttribute.Int("transB", 1));
            g.Output(logits, DataType.Float, BatchDim, spec.HeadClasses);
        }

        return g.Build(AppVersion.Current, new Dictionary<string, string>
        {
            ["linewatch.arch"] = spec.Arch.ToString().ToLowerInvariant(),
            ["linewatch.size"] = spec.SizeName,
            ["linewatch.dim"] = spec.Dim.ToString(),
            ["linewatch.depth"] = spec.Depth.ToString(),
            ["linewatch.frames"] = spec.Frames.ToString(),
            ["linewatch.image_size"] = spec.ImageSize.ToString(),
            ["linewatch.head_classes"] = spec.HeadClasses.ToString(),
            ["linewatch.scan"] = scan.ToString().ToLowerInvariant(),
            ["linewatch.weights"] = weights.Source,
            ["linewatch.parameters"] = g.ParameterCount.ToString(),
        });
    }

    /// <summary>Patch embedding plus spatial and temporal positions, then the class token in front: (B,D,L).</summary>
    private static string Embed(OnnxGraphBuilder g, WeightReader w, BackboneSpec spec, string video)
    {
        int d = spec.Dim, t = spec.Frames, hw = spec.PatchesPerFrame;
        var patches = g.Node("Conv", [video, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"]], "patch_embed",
            attributes: [OnnxAttribute.Ints("kernel_shape", 1, 16, 16), OnnxAttribute.Ints("strides", 1, 16, 16)]);
        var flat = g.Node("Reshape", [patches, g.Int64s("embed_shape", [0, d, (long)t * hw])], "patches_flat"); // t-major: t*hw + n

        // Position of token (t, n) = pos_embed[1+n] + temporal_pos_embedding[t]; both constant, folded by ORT.
        var pos = w["pos_embed"];
        var spatial = g.Node("Slice", [pos, g.Int64s("one_start", [1]), g.Int64s("pos_end", [1 + hw]), g.Int64s("axis1", [1])], "pos_spatial");
        spatial = g.Node("Transpose", [spatial], "pos_spatial_dn", attributes: OnnxAttribute.Ints("perm", 0, 2, 1));       // (1,D,hw)
        spatial = g.Node("Unsqueeze", [spatial, g.Int64s("axis2", [2])], "pos_spatial_4d");                                  // (1,D,1,hw)
        var temporal = g.Node("Transpose", [w["temporal_pos_embedding"]], "pos_temporal_dt", attributes: OnnxAttribute.Ints("perm", 0, 2, 1)); // (1,D,T)
        temporal = g.Node("Unsqueeze", [temporal, g.Int64s("axis3", [3])], "pos_temporal_4d");                               // (1,D,T,1)
        var position = g.Node("Reshape", [g.Node("Add", [spatial, temporal], "pos_grid"), g.Int64s("pos_shape", [1, d, (long)t * hw])], "position");
        var tokens = g.Node("Add", [flat, position], "patch_tokens_in");

        // Class token: cls_token + pos_embed[0], no temporal position, one per clip.
        var clsPos = g.Node("Slice", [pos, g.Int64s("zero_start", [0]), g.Int64s("one_end", [1]), g.Int64s("axis1b", [1])], "pos_cls");
        var cls = g.Node("Transpose", [g.Node("Add", [w["cls_token"], clsPos], "cls_plus_pos")], "cls_d1", attributes: OnnxAttribute.Ints("perm", 0, 2, 1)); // (1,D,1)
        var batch = g.Node("Slice", [g.Node("Shape", [video], "video_shape"), g.Int64s("b_start", [0]), g.Int64s("b_end", [1])], "batch_size");
        var clsShape = g.Node("Concat", [batch, g.Int64s("cls_tail", [d, 1])], "cls_shape", attributes: OnnxAttribute.Int("axis", 0));
        var clsBatch = g.Node("Expand", [cls, clsShape], "cls_batch");
        return g.Node("Concat", [clsBatch, tokens], "tokens_in", attributes: OnnxAttribute.Int("axis", 2));
    }

    /// <summary>RMSNorm over the channel axis of (B,D,L): x / sqrt(mean(x²) + eps) · w.</summary>
    private static string RmsNorm(OnnxGraphBuilder g, WeightReader w, string x, string weightName, string name)
    {
        var square = g.Node("Mul", [x, x], $"{name}_sq");
        var mean = g.Node("ReduceMean", [square], $"{name}_ms", attributes: [OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)]);
        var rms = g.Node("Sqrt", [g.Node("Add", [mean, w.Epsilon], $"{name}_ms_eps")], $"{name}_rms");
        var scaled = g.Node("Div", [x, rms], $"{name}_unit");
        return g.Node("Mul", [scaled, w.Column(weightName)], name);
    }

    /// <summary>The bidirectional Mamba mixer: in_proj, a forward and a backward branch, their sum, out_proj.</summary>
    private static string Mixer(OnnxGraphBuilder g, WeightReader w, BackboneSpec spec, ScanKind scan, string h, int layer)
    {
        var p = $"layers.{layer}.mixer.";
        // in_proj's two halves as two MatMuls: the same arithmetic, without a Split copying (B,2Di,L) afterwards.
        var x = g.Node("MatMul", [w.Rows(p + "in_proj.weight", 0, spec.Inner), h], $"l{layer}_x");                 // (B,Di,L)
        var z = g.Node("MatMul", [w.Rows(p + "in_proj.weight", spec.Inner, spec.Inner), h], $"l{layer}_z");
        var forward = Branch(g, w, spec, scan, x, z, p, "", layer, reverse: false);
        var backward = Branch(g, w, spec, scan, x, z, p, "_b", layer, reverse: true);
        var y = g.Node("Add", [forward, backward], $"l{layer}_y");
        return g.Node("MatMul", [w[p + "out_proj.weight"], y], $"l{layer}_out");                                 // (B,D,L)
    }

    private static string Branch(OnnxGraphBuilder g, WeightReader w, BackboneSpec spec, ScanKind scan, string x, string z,
        string p, string suffix, int layer, bool reverse)
    {
        var name = $"l{layer}{(reverse ? "b" : "f")}";
        var pads = reverse ? new long[] { 0, BackboneSpec.ConvKernel - 1 } : [BackboneSpec.ConvKernel - 1, 0];
        var kernel = reverse ? w.ReversedKernel(p + $"conv1d{suffix}.weight") : w[p + $"conv1d{suffix}.weight"];
        var conv = g.Node("Conv", [x, kernel, w[p + $"conv1d{suffix}.bias"]], $"{name}_conv",
            attributes: [OnnxAttribute.Int("group", spec.Inner), OnnxAttribute.Ints("kernel_shape", BackboneSpec.ConvKernel), OnnxAttribute.Ints("pads", pads)]);
        var u = g.Node("Mul", [conv, g.Node("Sigmoid", [conv], $"{name}_conv_sig")], $"{name}_u");                // SiLU

        // x_proj's rows for dt, B and C as three MatMuls, again to avoid a Split: (B,R,L), (B,N,L), (B,N,L).
        int r = spec.DtRank, n = BackboneSpec.StateSize;
        var xProj = p + $"x_proj{suffix}.weight";
        var dtLow = g.Node("MatMul", [w.Rows(xProj, 0, r), u], $"{name}_dt_low");
        var bIn = g.Node("MatMul", [w.Rows(xProj, r, n), u], $"{name}_b");
        var cIn = g.Node("MatMul", [w.Rows(xProj, r + n, n), u], $"{name}_c");
        var delta = g.Node("MatMul", [w[p + $"dt_proj{suffix}.weight"], dtLow], $"{name}_delta");               // (B,Di,L)
        var aLog = w[p + (reverse ? "A_b_log" : "A_log")];
        var a = g.Node("Neg", [g.Node("Exp", [aLog], $"{name}_exp_a")], $"{name}_a");                             // A = -exp(A_log)
        var dSkip = w[p + (reverse ? "D_b" : "D")];
        var bias = w[p + $"dt_proj{suffix}.bias"];

        var pro = spec.Arch == BackboneArch.VideoMambaPro;
        var flags = new ScanFlags(Reverse: reverse, MaskDiagonal: pro && reverse, InitFromInput: pro, DeltaSoftplus: true);
        return scan == ScanKind.Custom
            ? g.Node("SelectiveScan", [u, delta, a, bIn, cIn, dSkip, z, bias], $"{name}_scan", SelectiveScanModel.Domain, flags.ToAttributes())
            : PortableScan.Emit(g, spec.Inner, BackboneSpec.StateSize, spec.Tokens, flags, u, delta, a, bIn, cIn, dSkip, z, bias, $"{name}_scan");
    }

    /// <summary>Adds each weight to the graph once, on first use, plus the few shapes derived from them.</summary>
    private sealed class WeightReader(OnnxGraphBuilder g, BackboneWeights weights)
    {
        private readonly Dictionary<string, string> _added = new(StringComparer.Ordinal);
        private string? _epsilon;

        public string this[string name]
        {
            get
            {
                if (_added.TryGetValue(name, out var added)) return added;
                var tensor = weights[name];
                return _added[name] = g.Weight(name, tensor.Data, tensor.Shape);
            }
        }

        /// <summary>A (D) vector as (D,1), to scale the channels of (B,D,L).</summary>
        public string Column(string name)
        {
            var key = name + "#column";
            if (_added.TryGetValue(key, out var added)) return added;
            var tensor = weights[name];
            return _added[key] = g.Weight(name, tensor.Data, [tensor.Shape[0], 1]);
        }

        /// <summary>conv1d_b's kernel reversed in time, so the causal conv on the reversed sequence becomes an anti-causal one.</summary>
        public string ReversedKernel(string name)
        {
            var tensor = weights[name];
            var k = (int)tensor.Shape[2];
            var reversed = new float[tensor.Data.Length];
            for (var c = 0; c < tensor.Shape[0]; c++)
            for (var j = 0; j < k; j++)
            {
                reversed[c * k + j] = tensor.Data[c * k + (k - 1 - j)];
            }
            return g.Weight(name + "_reversed", reversed, tensor.Shape);
        }

        public string Epsilon => _epsilon ??= g.Constant("rms_eps", [BackboneSpec.NormEpsilon]);

        /// <summary>Rows [start, start+count) of a 2-D weight, as its own initializer; the pieces of one weight add up to it.</summary>
        public string Rows(string name, int start, int count)
        {
            var tensor = weights[name];
            var columns = (int)tensor.Shape[1];
            return g.Weight($"{name}[{start}:{start + count}]", tensor.Data.AsSpan(start * columns, count * columns), [count, columns]);
        }
    }
}
