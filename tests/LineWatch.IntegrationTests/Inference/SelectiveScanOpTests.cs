using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using LineWatch.Inference;
using LineWatch.Model;
using LineWatch.Model.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.IntegrationTests.Inference;

/// <summary>
/// Our SelectiveScan op, loaded into a real ONNX Runtime session from liblinewatch_ortops.so, against the plain
/// reference loop — every flag, with sizes that are not powers of two and the edge case L = 1 — for each of its
/// CPU kernels, forced per session with Model:ScanKernel.
/// </summary>
public sealed class SelectiveScanOpTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<bool, bool, bool, bool, int, int, int, int> Cases()
    {
        var data = new TheoryData<bool, bool, bool, bool, int, int, int, int>();
        foreach (var reverse in new[] { false, true })
        foreach (var mask in new[] { false, true })
        foreach (var init in new[] { false, true })
        {
            data.Add(reverse, mask, init, true, 2, 5, 37, 16);
        }
        foreach (var reverse in new[] { false, true })
        foreach (var pro in new[] { false, true })
        {
            // 37 channels with N=16: two 16-wide vector blocks plus 5 scalar rows; 131 tokens cross two chunk edges.
            data.Add(reverse, pro, pro, true, 2, 37, 131, 16);
        }
        data.Add(true, true, true, true, 1, 32, 1, 16);     // vector blocks with a single token
        data.Add(false, false, false, true, 1, 3, 1, 16);   // a single token
        data.Add(true, true, true, true, 1, 3, 1, 16);      // ... in every VideoMambaPro mode
        data.Add(true, true, true, true, 3, 7, 2, 5);       // odd state size, two tokens
        data.Add(false, false, false, false, 1, 4, 9, 3);   // delta used as given (no softplus)
        return data;
    }

    [ScanKernelTheory("avx512")]
    [MemberData(nameof(Cases))]
    public void The_avx512_kernel_matches_the_reference_loop(bool reverse, bool mask, bool init, bool softplus, int batch, int channels, int length, int state) =>
        MatchesTheReferenceLoop("avx512", new ScanFlags(reverse, mask, init, softplus), batch, channels, length, state);

    [ScanKernelTheory("avx2")]
    [MemberData(nameof(Cases))]
    public void The_avx2_kernel_matches_the_reference_loop(bool reverse, bool mask, bool init, bool softplus, int batch, int channels, int length, int state) =>
        MatchesTheReferenceLoop("avx2", new ScanFlags(reverse, mask, init, softplus), batch, channels, length, state);

    [ScanKernelTheory("baseline")]
    [MemberData(nameof(Cases))]
    public void The_baseline_kernel_matches_the_reference_loop(bool reverse, bool mask, bool init, bool softplus, int batch, int channels, int length, int state) =>
        MatchesTheReferenceLoop("baseline", new ScanFlags(reverse, mask, init, softplus), batch, channels, length, state);

    private void MatchesTheReferenceLoop(string kernel, ScanFlags flags, int batch, int channels, int length, int state)
    {
        var inputs = new ScanInputs(batch, channels, length, state, seed: batch * 1000 + channels * 100 + length + state);
        using var model = Load(flags, kernel);

        var actual = Run(model.Session, inputs);
        var expected = ScanReference.Run(inputs, flags);

        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a) / Math.Max(1.0, Math.Abs(e))).Max();
        Assert.True(worst <= 1e-4, $"{kernel}: max relative difference {worst:E2} for {flags}");
    }

    [Fact]
    public void Forcing_a_kernel_runs_that_kernel()
    {
        // The baseline kernel multiplies and adds separately where the avx2 one fuses them, so their last bits
        // differ: if the session option were ignored, both sessions would run the same kernel and agree exactly.
        var available = CustomOpLibrary.ScanKernels(OrtSessionFactory.DefaultCustomOpLibrary);
        Assert.Contains("baseline", available);
        var other = available[0];
        Assert.NotEqual("baseline", other); // every x86-64 CPU this runs on has at least AVX2
        var flags = new ScanFlags(Reverse: true, MaskDiagonal: true, InitFromInput: true);
        var inputs = new ScanInputs(1, 64, 200, 16, seed: 3);
        using var baseline = Load(flags, "baseline");
        using var best = Load(flags, other);
        Assert.NotEqual(Run(baseline.Session, inputs), Run(best.Session, inputs));
    }

    [Fact]
    public void An_unknown_kernel_is_refused_naming_it_and_the_choices()
    {
        var error = Assert.ThrowsAny<Exception>(() => Load(new ScanFlags(), "avx1024"));
        Assert.Contains("linewatch.scan_kernel='avx1024'", error.Message);
        Assert.Contains("avx512|avx2|baseline", error.Message);
    }

    [Fact]
    public void The_flags_change_the_result()
    {
        // Guards the comparison above: if the op ignored its attributes, all four outputs would be the same.
        var inputs = new ScanInputs(1, 4, 12, 16, seed: 7);
        var outputs = new[] { new ScanFlags(), new ScanFlags(Reverse: true), new ScanFlags(MaskDiagonal: true), new ScanFlags(InitFromInput: true) }
            .Select(flags =>
            {
                using var model = Load(flags);
                return Run(model.Session, inputs);
            })
            .ToList();
        for (var i = 0; i < outputs.Count; i++)
        for (var j = i + 1; j < outputs.Count; j++)
        {
            Assert.NotEqual(outputs[i], outputs[j]);
        }
    }

    [Fact]
    public void Mismatched_shapes_are_refused_with_a_message_naming_the_input()
    {
        using var model = Load(new ScanFlags());
        var good = new ScanInputs(1, 4, 6, 16, seed: 1);
        var feeds = Feeds(good);
        feeds[3].Dispose();
        feeds[3] = OrtValue.CreateTensorValueFromMemory(new float[1 * 16 * 5], [1, 16, 5]); // B with the wrong length
        try
        {
            var error = Assert.Throws<OnnxRuntimeException>(() => model.Session.Run(new RunOptions(), SelectiveScanModel.InputNames, feeds, ["y"]));
            Assert.Contains("SelectiveScan: B (1,16,5) must be (B,N,L)", error.Message);
        }
        finally
        {
            foreach (var feed in feeds) feed.Dispose();
        }
    }

    private LoadedModel Load(ScanFlags flags, string kernel = "")
    {
        var path = _dir.File($"scan-{flags.Reverse}-{flags.MaskDiagonal}-{flags.InitFromInput}-{flags.DeltaSoftplus}.onnx");
        if (!File.Exists(path)) OnnxModelFile.Save(SelectiveScanModel.Build(flags), path);
        return OrtSessionFactory.Create(path, new ModelOptions { Device = ModelDevice.Cpu, IntraOpThreads = 2, ScanKernel = kernel }, NullLogger.Instance);
    }

    private static float[] Run(InferenceSession session, ScanInputs inputs)
    {
        var feeds = Feeds(inputs);
        try
        {
            using var results = session.Run(new RunOptions(), SelectiveScanModel.InputNames, feeds, ["y"]);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var feed in feeds) feed.Dispose();
        }
    }

    private static OrtValue[] Feeds(ScanInputs x) =>
    [
        OrtValue.CreateTensorValueFromMemory(x.U, [x.Batch, x.Channels, x.Length]),
        OrtValue.CreateTensorValueFromMemory(x.Delta, [x.Batch, x.Channels, x.Length]),
        OrtValue.CreateTensorValueFromMemory(x.A, [x.Channels, x.State]),
        OrtValue.CreateTensorValueFromMemory(x.B, [x.Batch, x.State, x.Length]),
        OrtValue.CreateTensorValueFromMemory(x.C, [x.Batch, x.State, x.Length]),
        OrtValue.CreateTensorValueFromMemory(x.D, [x.Channels]),
        OrtValue.CreateTensorValueFromMemory(x.Z, [x.Batch, x.Channels, x.Length]),
        OrtValue.CreateTensorValueFromMemory(x.DeltaBias, [x.Channels]),
    ];

    public void Dispose() => _dir.Dispose();
}
