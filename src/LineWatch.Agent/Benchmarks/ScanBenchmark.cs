using LineWatch.Configuration;
using LineWatch.Model;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// Our SelectiveScan op against a reference, side by side in one process, at VideoMamba-Ti mixer shapes: B=1,
/// D=384 (inner width), N=16, L = 1+8·196 and 1+16·196. On CPU the reference is the same scan in standard ONNX
/// (ONNX Scan); on CUDA it is our CPU kernel, so the difference column is the GPU kernel's parity.
/// </summary>
internal static class ScanBenchmark
{
    /// <param name="Kernel">What was timed: "cpu", "cuda fp32" or "cuda fp16" (CUDA times include ORT's host-device copies).</param>
    /// <param name="Reference">What it was compared with: "portable" (ONNX Scan on CPU) or "cpu" (our CPU kernel).</param>
    public sealed record Row(int Batch, int Channels, int State, int Length, string Kernel, string Reference, double CustomMs, double ReferenceMs,
        double Speedup, double CustomGBps, double ReferenceGBps, double MaxAbsDifference);

    // VideoMambaPro's backward branch: every flag on, the most work per token.
    private static readonly ScanFlags Flags = new(Reverse: true, MaskDiagonal: true, InitFromInput: true, DeltaSoftplus: true);

    /// <param name="device">Cpu: our CPU kernel vs ONNX Scan. Cuda: our CUDA kernel vs our CPU kernel.</param>
    /// <param name="half">With CUDA, fp16 activations (the CPU reference stays fp32 on the same values).</param>
    /// <exception cref="Inference.ModelLoadException">CUDA was asked for and cannot be used.</exception>
    public static IReadOnlyList<Row> Run(ModelDevice device, bool half, int customRepeats, int referenceRepeats, Action<string> progress)
    {
        const int batch = 1, channels = 384, state = 16;
        var cuda = device == ModelDevice.Cuda;
        var kernel = cuda ? (half ? "cuda fp16" : "cuda fp32") : "cpu";
        using var scratch = new ScratchDirectory();
        var rows = new List<Row>();
        foreach (var length in new[] { 1 + 8 * 196, 1 + 16 * 196 })
        {
            var inputs = Inputs(batch, channels, state, length, roundToHalf: half);
            var outputs = new Dictionary<string, long[]> { ["y"] = [batch, channels, length] };
            var cpu = new ModelOptions { Device = ModelDevice.Cpu };
            using var custom = cuda
                ? new OrtRunner(half ? SelectiveScanModel.BuildHalf(Flags) : SelectiveScanModel.Build(Flags), scratch.Path, new ModelOptions { Device = ModelDevice.Cuda },
                    inputs, outputs, half ? SelectiveScanModel.HalfTensors : null)
                : new OrtRunner(SelectiveScanModel.Build(Flags), scratch.Path, cpu, inputs, outputs);
            using var reference = cuda
                ? new OrtRunner(SelectiveScanModel.Build(Flags), scratch.Path, cpu, inputs, outputs)
                : new OrtRunner(SelectiveScanModel.BuildPortable(Flags, channels, state, length), scratch.Path, cpu, inputs, outputs);

            custom.Run();
            reference.Run();
            var difference = MaxAbsDifference(custom.Output(0), reference.Output(0));
            var customTimes = new Samples();
            var referenceTimes = new Samples();
            // Interleaved, so both see the same machine conditions.
            for (var i = 0; i < Math.Max(customRepeats, referenceRepeats); i++)
            {
                if (i < customRepeats) customTimes.Add(custom.Run());
                if (i < referenceRepeats) referenceTimes.Add(reference.Run());
            }
            var bytes = 4.0 * (4L * batch * channels * length + 2L * batch * state * length + channels * state + 2 * channels);
            rows.Add(new Row(batch, channels, state, length, kernel, cuda ? "cpu" : "portable", customTimes.Median, referenceTimes.Median,
                referenceTimes.Median / customTimes.Median, bytes / (customTimes.Median * 1e6), bytes / (referenceTimes.Median * 1e6), difference));
            progress($"L={length}: {kernel} {customTimes.Median:0.00} ms, reference {referenceTimes.Median:0.0} ms, max abs diff {difference:0.0E+0}");
        }
        return rows;
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
