using LineWatch.Configuration;
using LineWatch.Model;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// Our SelectiveScan op against the same scan in standard ONNX (ONNX Scan), side by side in one process, at
/// VideoMamba-Ti mixer shapes: B=1, D=384 (inner width), N=16, L = 1+8·196 and 1+16·196.
/// </summary>
internal static class ScanBenchmark
{
    public sealed record Row(int Batch, int Channels, int State, int Length, double CustomMs, double PortableMs, double Speedup,
        double CustomGBps, double PortableGBps, double MaxAbsDifference);

    // VideoMambaPro's backward branch: every flag on, the most work per token.
    private static readonly ScanFlags Flags = new(Reverse: true, MaskDiagonal: true, InitFromInput: true, DeltaSoftplus: true);

    public static IReadOnlyList<Row> Run(int customRepeats, int portableRepeats, Action<string> progress)
    {
        const int batch = 1, channels = 384, state = 16;
        using var scratch = new ScratchDirectory();
        var rows = new List<Row>();
        foreach (var length in new[] { 1 + 8 * 196, 1 + 16 * 196 })
        {
            var inputs = Inputs(batch, channels, state, length);
            var outputs = new Dictionary<string, long[]> { ["y"] = [batch, channels, length] };
            var options = new ModelOptions { Device = ModelDevice.Cpu };
            using var custom = new OrtRunner(SelectiveScanModel.Build(Flags), scratch.Path, options, inputs, outputs);
            using var portable = new OrtRunner(SelectiveScanModel.BuildPortable(Flags, channels, state, length), scratch.Path, options, inputs, outputs);

            custom.Run();
            portable.Run();
            var difference = MaxAbsDifference(custom.Output(0), portable.Output(0));
            var customTimes = new Samples();
            var portableTimes = new Samples();
            // Interleaved, so both see the same machine conditions.
            for (var i = 0; i < Math.Max(customRepeats, portableRepeats); i++)
            {
                if (i < customRepeats) customTimes.Add(custom.Run());
                if (i < portableRepeats) portableTimes.Add(portable.Run());
            }
            var bytes = 4.0 * (4L * batch * channels * length + 2L * batch * state * length + channels * state + 2 * channels);
            rows.Add(new Row(batch, channels, state, length, customTimes.Median, portableTimes.Median, portableTimes.Median / customTimes.Median,
                bytes / (customTimes.Median * 1e6), bytes / (portableTimes.Median * 1e6), difference));
            progress($"L={length}: custom {customTimes.Median:0.00} ms, portable {portableTimes.Median:0.0} ms");
        }
        return rows;
    }

    private static Dictionary<string, (float[] Data, long[] Shape)> Inputs(int batch, int channels, int state, int length)
    {
        var random = new Random(1);
        float[] Fill(long n, float lo, float hi) => Enumerable.Range(0, (int)n).Select(_ => lo + (float)random.NextDouble() * (hi - lo)).ToArray();
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

    private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
