using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using LineWatch.Inference;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.IntegrationTests.Inference;

/// <summary>The backbone graph in ONNX Runtime: the custom-op variant against the portable (standard ONNX) one.</summary>
public sealed class BackboneGraphTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData(BackboneArch.VideoMamba)]
    [InlineData(BackboneArch.VideoMambaPro)]
    public void Custom_op_and_portable_scan_give_the_same_embedding(BackboneArch arch)
    {
        var spec = BackboneSpec.Named(arch, "tiny", frames: 2, imageSize: 32, headClasses: 5);
        var weights = RandomWeights.Create(spec, seed: 11);
        var input = RandomVideo(batch: 2, spec, seed: 5);

        var custom = Run(spec, weights, ScanKind.Custom, input);
        var portable = Run(spec, weights, ScanKind.Portable, input);

        Assert.Equal(2 * spec.Dim, custom.Embedding.Length);
        Assert.Equal(2 * spec.Frames * spec.PatchesPerFrame * spec.Dim, custom.Tokens.Length);
        Assert.Equal(2 * 5, custom.Logits!.Length);
        Assert.True(MaxAbsDiff(custom.Embedding, portable.Embedding) <= 1e-4, $"embedding differs by {MaxAbsDiff(custom.Embedding, portable.Embedding):E2}");
        Assert.True(MaxAbsDiff(custom.Tokens, portable.Tokens) <= 1e-4, $"tokens differ by {MaxAbsDiff(custom.Tokens, portable.Tokens):E2}");
        // The two clips of the batch are different videos, so their embeddings must differ.
        Assert.True(MaxAbsDiff(custom.Embedding.AsSpan(0, spec.Dim).ToArray(), custom.Embedding.AsSpan(spec.Dim).ToArray()) > 1e-3);
    }

    [Fact]
    public void The_two_archs_differ_on_the_same_weights()
    {
        var mamba = BackboneSpec.Named(BackboneArch.VideoMamba, "tiny", 2, 32);
        var pro = mamba with { Arch = BackboneArch.VideoMambaPro };
        var weights = RandomWeights.Create(mamba, seed: 2);
        var input = RandomVideo(1, mamba, seed: 3);

        var a = Run(mamba, weights, ScanKind.Custom, input);
        var b = Run(pro, new BackboneWeights(pro, BackboneParameters.For(pro).ToDictionary(p => p.Name, p => weights[p.Name]), weights.Source), ScanKind.Custom, input);
        Assert.True(MaxAbsDiff(a.Embedding, b.Embedding) > 1e-3);
    }

    internal sealed record Outputs(float[] Embedding, float[] Tokens, float[]? Logits);

    private Outputs Run(BackboneSpec spec, BackboneWeights weights, ScanKind scan, float[] input)
    {
        var path = _dir.File($"{spec.Arch}-{scan}-{Guid.NewGuid():N}.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, weights, scan), path);
        using var model = OrtSessionFactory.Create(path, new ModelOptions { Device = ModelDevice.Cpu }, NullLogger.Instance);
        var batch = input.Length / (3 * spec.Frames * spec.ImageSize * spec.ImageSize);
        using var video = OrtValue.CreateTensorValueFromMemory(input, [batch, 3, spec.Frames, spec.ImageSize, spec.ImageSize]);
        var outputs = model.Session.OutputMetadata.Keys.ToArray();
        using var results = model.Session.Run(new RunOptions(), [BackboneGraph.InputName], [video], outputs);
        float[] Get(string name) => results[Array.IndexOf(outputs, name)].GetTensorDataAsSpan<float>().ToArray();
        return new Outputs(Get(BackboneGraph.EmbeddingName), Get(BackboneGraph.TokensName), outputs.Contains(BackboneGraph.LogitsName) ? Get(BackboneGraph.LogitsName) : null);
    }

    internal static float[] RandomVideo(int batch, BackboneSpec spec, int seed)
    {
        var random = new Random(seed);
        var data = new float[batch * 3 * spec.Frames * spec.ImageSize * spec.ImageSize];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 4 - 2);
        return data;
    }

    internal static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    public void Dispose() => _dir.Dispose();
}
