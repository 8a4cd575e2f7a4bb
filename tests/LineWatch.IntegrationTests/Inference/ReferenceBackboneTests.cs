using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using LineWatch.Inference;
using LineWatch.Model.Backbone;
using LineWatch.Model.Checkpoints;
using LineWatch.Model.Numpy;
using LineWatch.Model.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.IntegrationTests.Inference;

/// <summary>
/// Our import + ONNX graph + ORT against an independent implementation: tests/reference/videomamba_reference.py
/// (PyTorch, float64, written from the equations) saved a real .pth with the official key names, an input and
/// its outputs. D=64, depth 2, T=4, 32x32, 10 classes; see tests/fixtures/reference/README.md.
/// </summary>
public sealed class ReferenceBackboneTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly TempDirectory _dir = new();

    public static TheoryData<BackboneArch, ScanKind> Variants() => new()
    {
        { BackboneArch.VideoMamba, ScanKind.Custom },
        { BackboneArch.VideoMambaPro, ScanKind.Custom },
        { BackboneArch.VideoMamba, ScanKind.Portable },
        { BackboneArch.VideoMambaPro, ScanKind.Portable },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Imported_checkpoint_matches_pytorch(BackboneArch arch, ScanKind scan)
    {
        var spec = BackboneSpec.Custom(arch, dim: 64, depth: 2, frames: 4, imageSize: 32, headClasses: 10);
        var outputs = Run(spec, scan, "input.npy", [BackboneGraph.EmbeddingName, BackboneGraph.TokensName, BackboneGraph.LogitsName]);
        var name = arch.ToString().ToLowerInvariant();

        AssertClose(NpyFile.Read(TestPaths.Reference($"{name}_embedding.npy")), outputs[0], "embedding");
        AssertClose(NpyFile.Read(TestPaths.Reference($"{name}_tokens.npy")), outputs[1], "tokens");
        AssertClose(NpyFile.Read(TestPaths.Reference($"{name}_logits.npy")), outputs[2], "logits");
    }

    [Theory]
    [InlineData(BackboneArch.VideoMamba)]
    [InlineData(BackboneArch.VideoMambaPro)]
    public void Positional_embeddings_are_interpolated_like_pytorch(BackboneArch arch)
    {
        // The same T=4, 32x32 checkpoint used at T=8, 48x48: temporal linear, spatial bicubic.
        var spec = BackboneSpec.Custom(arch, 64, 2, frames: 8, imageSize: 48);
        var outputs = Run(spec, ScanKind.Custom, "input_t8_s48.npy", [BackboneGraph.EmbeddingName]);
        AssertClose(NpyFile.Read(TestPaths.Reference($"{arch.ToString().ToLowerInvariant()}_t8_s48_embedding.npy")), outputs[0], "embedding");
    }

    // The agent picks the best kernel for the CPU; LINEWATCH_SCAN_ISA forces another, so each is checked here.
    [ScanKernelTheory("avx512")]
    [InlineData("avx512")]
    public void The_avx512_kernel_matches_pytorch_through_the_cli(string isa) => KernelMatchesPytorchThroughTheCli(isa);

    [ScanKernelTheory("avx2")]
    [InlineData("avx2")]
    public void The_avx2_kernel_matches_pytorch_through_the_cli(string isa) => KernelMatchesPytorchThroughTheCli(isa);

    [ScanKernelTheory("baseline")]
    [InlineData("baseline")]
    public void The_baseline_kernel_matches_pytorch_through_the_cli(string isa) => KernelMatchesPytorchThroughTheCli(isa);

    private void KernelMatchesPytorchThroughTheCli(string isa)
    {
        var model = _dir.File("pro.onnx");
        var build = AgentProcess.Run("model", "build", "--arch", "videomambapro", "--dim", "64", "--depth", "2", "--frames", "4", "--img", "32",
            "--head", "10", "--weights", TestPaths.Reference("checkpoint.pth"), "--out", model);
        Assert.True(build.ExitCode == 0, build.Output);

        var output = _dir.File($"embedding-{isa}.npy");
        var env = new Dictionary<string, string> { ["LINEWATCH_SCAN_ISA"] = isa };
        var run = AgentProcess.Run(env, "model", "run", model, "--input", TestPaths.Reference("input.npy"), "--output", output);
        Assert.True(run.ExitCode == 0, run.Output);
        var version = AgentProcess.Run(env, "version");
        Assert.Contains($"cpu-{isa}", version.Output);

        AssertClose(NpyFile.Read(TestPaths.Reference("videomambapro_embedding.npy")), NpyFile.Read(output).Data, "embedding");
    }

    [Fact]
    public void A_checkpoint_of_another_size_is_refused_naming_keys_and_the_fix()
    {
        var spec = BackboneSpec.Named(BackboneArch.VideoMambaPro, "tiny", 4, 32);
        var error = Assert.Throws<ArgumentException>(() => CheckpointWeights.Load(spec, TestPaths.Reference("checkpoint.pth")));
        Assert.Contains("cls_token is (1,1,64), expected (1,1,192)", error.Message);
        Assert.Contains("missing layers.23.norm.weight", error.Message);
        Assert.Contains("the checkpoint holds D=64, depth 2", error.Message);
    }

    [Fact]
    public void A_head_is_taken_only_when_asked_for_and_must_fit()
    {
        var noHead = CheckpointWeights.Load(BackboneSpec.Custom(BackboneArch.VideoMamba, 64, 2, 4, 32), TestPaths.Reference("checkpoint.pth"));
        Assert.NotNull(noHead);
        var error = Assert.Throws<ArgumentException>(() =>
            CheckpointWeights.Load(BackboneSpec.Custom(BackboneArch.VideoMamba, 64, 2, 4, 32, headClasses: 400), TestPaths.Reference("checkpoint.pth")));
        Assert.Contains("head.weight is (10,64), expected (400,64)", error.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_is_a_clear_error_from_the_cli()
    {
        var bytes = File.ReadAllBytes(TestPaths.Reference("checkpoint.pth"));
        var truncated = _dir.File("truncated.pth");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        var result = AgentProcess.Run("model", "build", "--dim", "64", "--depth", "2", "--frames", "4", "--img", "32", "--weights", truncated, "--out", _dir.File("x.onnx"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("truncated.pth", result.Output);
        Assert.False(File.Exists(_dir.File("x.onnx")));
    }

    private List<float[]> Run(BackboneSpec spec, ScanKind scan, string input, string[] outputNames)
    {
        var weights = CheckpointWeights.Load(spec, TestPaths.Reference("checkpoint.pth"));
        var path = _dir.File($"{spec.Arch}-{scan}-{spec.Frames}.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, weights, scan), path);
        using var model = OrtSessionFactory.Create(path, new ModelOptions { Device = ModelDevice.Cpu }, NullLogger.Instance);
        var (shape, data) = NpyFile.Read(TestPaths.Reference(input));
        using var video = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var results = model.Session.Run(new RunOptions(), [BackboneGraph.InputName], [video], outputNames);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToList();
    }

    private static void AssertClose((long[] Shape, float[] Data) expected, float[] actual, string what)
    {
        Assert.Equal(expected.Data.Length, actual.Length);
        var worst = expected.Data.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        Assert.True(worst <= Tolerance, $"{what}: max abs difference {worst:E2} > {Tolerance:E0}");
    }

    public void Dispose() => _dir.Dispose();
}
