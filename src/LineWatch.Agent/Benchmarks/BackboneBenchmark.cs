using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using static LineWatch.Model.Onnx.Proto.TensorProto.Types;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// The whole backbone in ORT (random weights; speed does not depend on their values), and — in the same run,
/// interleaved — a plain MatMul of the in_proj shape, so the ratio of the two rates shows how much of what
/// ORT can do on this machine the backbone achieves.
/// </summary>
internal static class BackboneBenchmark
{
    /// <param name="Kernel">The CPU scan kernel the backbone ran ("avx512", "avx2", "baseline"), or "cuda".</param>
    /// <param name="CpuMsPerClip">Median CPU time of the process per clip during a run, all threads: on a shared machine it moves much
    /// less than the wall time, and on an idle one it is what a clip costs the box (2 cores: wall ≈ CPU ÷ 2 at best).</param>
    public sealed record Result(string Arch, string Size, int Frames, int Image, int Batch, string ExecutionProvider, string Kernel, int Iterations,
        double ClipsPerSecond, double LatencyP50Ms, double LatencyP99Ms, double CpuMsPerClip,
        double PaperGflopPerClip, bool PaperValueScaled, double CountedGflopPerClip,
        double PaperGflops, double CountedGflops, double MatMulGflops, double RatioPaperToMatMul, double RatioCountedToMatMul);

    /// <summary>GFLOPs per view at 224² from the VideoMamba paper, at 8/16/32/64 frames.</summary>
    private static readonly Dictionary<string, double[]> PaperGflops = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = [9, 17, 34, 69],
        ["small"] = [34, 68, 135, 271],
        ["middle"] = [101, 202, 403, 806],
    };

    /// <param name="kernels">CPU scan kernels to time side by side, one backbone session each (ignored on CUDA).</param>
    /// <param name="spinning">ORT's idle-thread spinning (its default: on); with several sessions alternating, an idle one's spinning threads take CPU from the one being timed.</param>
    public static IReadOnlyList<Result> Run(BackboneSpec spec, ModelDevice device, int batch, int iterations, int warmup, IReadOnlyList<string> kernels, bool spinning,
        Action<string> progress)
    {
        using var scratch = new ScratchDirectory();
        var video = Random(batch * 3L * spec.Frames * spec.ImageSize * spec.ImageSize, 7);
        progress($"building {spec.Arch} {spec.SizeName} T={spec.Frames} S={spec.ImageSize}");
        var graph = BackboneGraph.Build(spec, RandomWeights.Create(spec, 0), ScanKind.Custom);
        var kernelNames = device == ModelDevice.Cuda ? [""] : kernels;
        var backbones = new List<OrtRunner>();
        try
        {
            foreach (var kernel in kernelNames)
            {
                backbones.Add(new OrtRunner(graph, scratch.Path, new ModelOptions { Device = device, ScanKernel = kernel, IntraOpSpinning = spinning },
                    new Dictionary<string, (float[], long[])> { [BackboneGraph.InputName] = (video, [batch, 3, spec.Frames, spec.ImageSize, spec.ImageSize]) },
                    new Dictionary<string, long[]>
                    {
                        [BackboneGraph.EmbeddingName] = [batch, spec.Dim],
                        [BackboneGraph.TokensName] = [batch, spec.Frames, spec.Grid, spec.Grid, spec.Dim],
                    }));
            }
            using var matmul = new OrtRunner(InProjMatMul(spec), scratch.Path, new ModelOptions { Device = device, IntraOpSpinning = spinning },
                new Dictionary<string, (float[], long[])> { ["x"] = (Random((long)batch * spec.Dim * spec.Tokens, 8), [batch, spec.Dim, spec.Tokens]) },
                new Dictionary<string, long[]> { ["y"] = [batch, 2 * spec.Inner, spec.Tokens] });

            for (var i = 0; i < warmup; i++)
            {
                foreach (var backbone in backbones) backbone.Run();
                matmul.Run();
            }
            var latencies = backbones.Select(_ => new Samples()).ToList();
            var cpuTimes = backbones.Select(_ => new Samples()).ToList();
            var matmulTimes = new Samples();
            using var process = Process.GetCurrentProcess();
            // Interleaved, so every kernel and the MatMul see the same machine conditions.
            for (var i = 0; i < iterations; i++)
            {
                for (var k = 0; k < backbones.Count; k++)
                {
                    process.Refresh();
                    var cpu = process.TotalProcessorTime;
                    latencies[k].Add(backbones[k].Run());
                    process.Refresh();
                    cpuTimes[k].Add((process.TotalProcessorTime - cpu).TotalMilliseconds / batch);
                }
                for (var k = 0; k < 3; k++) matmulTimes.Add(matmul.Run());
            }
            var (paper, scaled) = PaperGflopPerClip(spec);
            var counted = CountedGflopPerClip(spec);
            var matmulGflops = 2.0 * 2 * spec.Inner * spec.Dim * spec.Tokens * batch / (matmulTimes.Median / 1000) / 1e9;
            return backbones.Select((backbone, k) =>
            {
                var seconds = latencies[k].Median / 1000;
                var paperRate = paper * batch / seconds;
                var countedRate = counted * batch / seconds;
                return new Result(spec.Arch.ToString().ToLowerInvariant(), spec.SizeName, spec.Frames, spec.ImageSize, batch, backbone.ExecutionProvider,
                    device == ModelDevice.Cuda ? "cuda" : kernelNames[k], iterations, batch / seconds, latencies[k].Median, latencies[k].Percentile(99), cpuTimes[k].Median,
                    paper, scaled, counted, paperRate, countedRate, matmulGflops, paperRate / matmulGflops, countedRate / matmulGflops);
            }).ToList();
        }
        finally
        {
            foreach (var backbone in backbones) backbone.Dispose();
        }
    }

    /// <summary>The paper's count; for shapes it does not list, scaled by the number of patch tokens (the model is linear in them).</summary>
    private static (double Gflop, bool Scaled) PaperGflopPerClip(BackboneSpec spec)
    {
        if (!PaperGflops.TryGetValue(spec.SizeName, out var row)) return (double.NaN, true);
        var index = Array.IndexOf([8, 16, 32, 64], spec.Frames);
        if (index >= 0 && spec.ImageSize == 224) return (row[index], false);
        return (row[0] * spec.Frames * spec.PatchesPerFrame / (8.0 * 196), true);
    }

    /// <summary>Our own count of the graph's arithmetic: 2 per multiply-add in every MatMul and Conv, ~8 per scan state update.</summary>
    public static double CountedGflopPerClip(BackboneSpec spec)
    {
        double d = spec.Dim, di = spec.Inner, n = BackboneSpec.StateSize, r = spec.DtRank, l = spec.Tokens;
        var patchEmbed = 2.0 * d * 3 * 256 * spec.Frames * spec.PatchesPerFrame;
        var branch = 2 * di * BackboneSpec.ConvKernel * l + 2 * (r + 2 * n) * di * l + 2 * di * r * l + 8 * di * n * l;
        var layer = 2 * 2 * di * d * l + 2 * branch + 2 * d * di * l;
        return (patchEmbed + spec.Depth * layer) / 1e9;
    }

    private static Model.Onnx.Proto.ModelProto InProjMatMul(BackboneSpec spec)
    {
        var g = new OnnxGraphBuilder("in_proj_matmul");
        var x = g.Input("x", DataType.Float, "batch", spec.Dim, spec.Tokens);
        var w = g.Weight("w", Random(2L * spec.Inner * spec.Dim, 9), [2 * spec.Inner, spec.Dim]);
        g.Node("MatMul", [w, x], "y");
        g.Output("y", DataType.Float, "batch", 2 * spec.Inner, spec.Tokens);
        return g.Build("bench");
    }

    private static float[] Random(long count, int seed)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }
}
