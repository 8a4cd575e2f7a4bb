using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Model;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// Our SelectiveScan op against a reference, side by side in one process, at VideoMamba-Ti mixer shapes: B=1,
/// D=384 (inner width), N=16, L = 1+8·49 (8 frames at 112²), 1+8·196 and 1+16·196 (8 and 16 frames at 224²).
/// On CPU the reference is the same scan in standard ONNX (ONNX Scan), every CPU kernel asked for is timed in
/// the same run, interleaved, and each is put next to its roofline measured in the same loop; on CUDA the
/// reference is our CPU kernel, so the difference column is the GPU kernel's parity.
/// </summary>
internal static class ScanBenchmark
{
    /// <param name="Kernel">What was timed: "cpu-avx512", "cpu-avx2", "cpu-baseline", "cuda fp32" or "cuda fp16" (CUDA times include ORT's host-device copies).</param>
    /// <param name="Reference">What it was compared with: "portable" (ONNX Scan on CPU) or "cpu" (our CPU kernel).</param>
    /// <param name="RoofMs">CPU kernels: the larger of ComputeRoofMs and MemoryRoofMs, the least time the call can take; NaN on CUDA.</param>
    /// <param name="TimesRoof">CustomMs ÷ RoofMs: 1 would be the machine's best.</param>
    public sealed record Row(int Batch, int Channels, int State, int Length, string Kernel, string Reference, double CustomMs, double ReferenceMs,
        double Speedup, double CustomGBps, double ReferenceGBps, double MaxAbsDifference,
        double ComputeRoofMs, double MemoryRoofMs, double RoofMs, string RoofBound, double TimesRoof);

    /// <param name="Threads">Threads of the op (ORT's intra-op pool) and of the roofline measurements.</param>
    public sealed record Result(string Cpu, int Threads, IReadOnlyList<Row> Rows);

    public static readonly int[] Lengths = [1 + 8 * 49, 1 + 8 * 196, 1 + 16 * 196];

    // VideoMambaPro's backward branch: every flag on, the most work per token.
    private static readonly ScanFlags Flags = new(Reverse: true, MaskDiagonal: true, InitFromInput: true, DeltaSoftplus: true);

    /// <param name="device">Cpu: our CPU kernels vs ONNX Scan. Cuda: our CUDA kernel vs our CPU kernel.</param>
    /// <param name="half">With CUDA, fp16 activations (the CPU reference stays fp32 on the same values).</param>
    /// <param name="kernels">With CPU, the kernels to time ("avx512", "avx2", "baseline"), side by side.</param>
    /// <exception cref="ModelLoadException">CUDA was asked for and cannot be used.</exception>
    public static Result Run(ModelDevice device, bool half, IReadOnlyList<string> kernels, int customRepeats, int referenceRepeats, Action<string> progress)
    {
        const int batch = 1, channels = 384, state = 16;
        var cuda = device == ModelDevice.Cuda;
        var threads = Environment.ProcessorCount; // ORT's intra-op pool: one thread per core unless configured
        var roofline = cuda ? null : new ScanRoofline(OrtSessionFactory.DefaultCustomOpLibrary);
        using var scratch = new ScratchDirectory();
        var rows = new List<Row>();
        foreach (var length in Lengths)
        {
            var inputs = Inputs(batch, channels, state, length, roundToHalf: half);
            var outputs = new Dictionary<string, long[]> { ["y"] = [batch, channels, length] };
            // Several sessions alternate here; idle ones must not spin on the CPU the timed one needs.
            var cpu = new ModelOptions { Device = ModelDevice.Cpu, IntraOpSpinning = false };
            List<(string Name, OrtRunner Runner)> timed = cuda
                ? [(half ? "cuda fp16" : "cuda fp32", new OrtRunner(half ? SelectiveScanModel.BuildHalf(Flags) : SelectiveScanModel.Build(Flags), scratch.Path,
                    new ModelOptions { Device = ModelDevice.Cuda, IntraOpSpinning = false }, inputs, outputs, half ? SelectiveScanModel.HalfTensors : null))]
                : kernels.Select(k => ("cpu-" + k, new OrtRunner(SelectiveScanModel.Build(Flags), scratch.Path, new ModelOptions { Device = ModelDevice.Cpu, ScanKernel = k, IntraOpSpinning = false },
                    inputs, outputs))).ToList();
            using var reference = cuda
                ? new OrtRunner(SelectiveScanModel.Build(Flags), scratch.Path, cpu, inputs, outputs)
                : new OrtRunner(SelectiveScanModel.BuildPortable(Flags, channels, state, length), scratch.Path, cpu, inputs, outputs);
            try
            {
                reference.Run();
                var expected = reference.Output(0);
                var differences = timed.Select(t =>
                {
                    t.Item2.Run();
                    return MaxAbsDifference(t.Item2.Output(0), expected);
                }).ToList();

                var updates = (long)batch * channels * length * state;
                var bytes = (long)(4.0 * (4L * batch * channels * length + 2L * batch * state * length + channels * state + 2 * channels));
                var customTimes = timed.Select(_ => new Samples()).ToList();
                var computeRoof = timed.Select(_ => new Samples()).ToList();
                var memoryRoof = timed.Select(_ => new Samples()).ToList();
                var referenceTimes = new Samples();
                // Interleaved, so every kernel, its roofline and the reference see the same machine conditions.
                for (var i = 0; i < Math.Max(customRepeats, referenceRepeats); i++)
                {
                    for (var k = 0; k < timed.Count && i < customRepeats; k++)
                    {
                        customTimes[k].Add(timed[k].Item2.Run());
                        if (roofline is null) continue;
                        var (compute, memory) = roofline.Measure(kernels[k], updates, bytes, threads);
                        computeRoof[k].Add(compute);
                        memoryRoof[k].Add(memory);
                    }
                    if (i < referenceRepeats) referenceTimes.Add(reference.Run());
                }
                for (var k = 0; k < timed.Count; k++)
                {
                    var ms = customTimes[k].Median;
                    var (computeMs, memoryMs) = roofline is null ? (double.NaN, double.NaN) : (computeRoof[k].Median, memoryRoof[k].Median);
                    var roofMs = Math.Max(computeMs, memoryMs);
                    var bound = roofline is null ? "-" : computeMs >= memoryMs ? "compute" : "memory";
                    rows.Add(new Row(batch, channels, state, length, timed[k].Item1, cuda ? "cpu" : "portable", ms, referenceTimes.Median,
                        referenceTimes.Median / ms, bytes / (ms * 1e6), bytes / (referenceTimes.Median * 1e6), differences[k],
                        computeMs, memoryMs, roofMs, bound, ms / roofMs));
                    progress($"L={length}: {timed[k].Item1} {ms:0.00} ms (roof {roofMs:0.00} ms, {bound}), reference {referenceTimes.Median:0.0} ms, max abs diff {differences[k]:0.0E+0}");
                }
            }
            finally
            {
                foreach (var (_, runner) in timed) runner.Dispose();
            }
        }
        return new Result(BenchMachine.CpuModel(), threads, rows);
    }

    /// <param name="roundToHalf">Values exactly representable in fp16, so an fp16 run and its fp32 reference see the same inputs.</param>
    private static Dictionary<string, (float[] Data, long[] Shape)> Inputs(int batch, int channels, int state, int length, bool roundToHalf)
    {
        var random = new Random(1);
        float[] Fill(long n, float lo, float hi) => Enumerable.Range(0, (int)n).Select(_ =>
        {
            var v = lo + (float)random.NextDouble() * (hi - lo);
            return roundToHalf ? (float)(Half)v : v;
        }).ToArray();
        return new()
        {
            ["u"] = (Fill(batch * channels * length, -2, 2), [batch, channels, length]),
            ["delta"] = (Fill(batch * channels * length, -3, 1), [batch, channels, length]),
            ["A"] = (Enumerable.Range(0, channels * state).Select(i => -(float)(i % state + 1)).ToArray(), [channels, state]),
            ["B"] = (Fill(batch * state * length, -1, 1), [batch, state, length]),
            ["C"] = (Fill(batch * state * length, -1, 1), [batch, state, length]),
            ["D"] = (Fill(channels, 0.5f, 1.5f), [channels]),
            ["z"] = (Fill(batch * channels * length, -3, 3), [batch, channels, length]),
            ["delta_bias"] = (Fill(channels, -4, -1), [channels]),
        };
    }

    private static double MaxAbsDifference(float[] a, float[] b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
