using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.IntegrationTests.Support;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using LineWatch.Processing;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Scoring;

/// <summary>The window cache with a real backbone and real footage: a replay gives exactly what the backbone gave.</summary>
public sealed class WindowCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly CameraOptions _camera = new() { AnalysisFps = 4, Stride = 2, SettleSeconds = 0 };
    private string Cache => _dir.File("cache");

    private (ModelIdentity Identity, LoadedModel Model) SmallModel()
    {
        var spec = BackboneSpec.Custom(BackboneArch.VideoMambaPro, dim: 32, depth: 1, frames: 4, imageSize: 32);
        var path = _dir.File("model.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, RandomWeights.Create(spec, 0), ScanKind.Custom), path);
        return (ModelIdentity.Of(path), OrtSessionFactory.Create(path, new ModelOptions { Device = ModelDevice.Cpu }, NullLogger.Instance));
    }

    private static List<(int Frame, float[] Embedding, float[] Tokens)> Collect(string? cache, string video, ModelIdentity identity, BackboneRunner runner, CameraOptions camera)
    {
        var windows = new List<(int, float[], float[])>();
        WindowCache.Run(cache, video, identity, runner, camera, (in OfflineWindow w) => windows.Add((w.NewestFrame, w.Embedding.ToArray(), w.Tokens.ToArray())));
        return windows;
    }

    [Fact]
    public void A_replay_gives_the_backbones_windows_exactly_and_a_changed_sampling_misses()
    {
        var (identity, model) = SmallModel();
        using var _ = model;
        using var runner = new BackboneRunner(model, 4);
        var (camera, cache) = (_camera, Cache);
        var video = TestPaths.Vtest;

        var computed = Collect(cache, video, identity, runner, camera);
        var path = WindowCache.PathFor(cache, video, identity, camera);
        Assert.True(File.Exists(path));
        var replayed = Collect(cache, video, identity, runner, camera);
        var uncached = Collect(null, video, identity, runner, camera);

        Assert.True(computed.Count > 50, $"{computed.Count} windows");
        Assert.Equal(computed.Count, replayed.Count);
        Assert.Equal(uncached.Count, replayed.Count);
        for (var i = 0; i < computed.Count; i++)
        {
            Assert.Equal(computed[i].Frame, replayed[i].Frame);
            Assert.Equal(computed[i].Embedding, replayed[i].Embedding);
            Assert.Equal(computed[i].Tokens, replayed[i].Tokens);
        }
        Assert.NotEqual(path, WindowCache.PathFor(cache, video, identity, new CameraOptions { AnalysisFps = 4, Stride = 3, SettleSeconds = 0 }));
    }

    [Fact]
    public void A_damaged_cache_is_refused_with_its_path()
    {
        var (identity, model) = SmallModel();
        using var _ = model;
        using var runner = new BackboneRunner(model, 4);
        var (camera, cache) = (_camera, Cache);
        Collect(cache, TestPaths.Vtest, identity, runner, camera);
        var path = WindowCache.PathFor(cache, TestPaths.Vtest, identity, camera);
        using (var file = File.OpenWrite(path)) file.SetLength(file.Length - 7); // a crash mid-write

        var error = Assert.Throws<InvalidDataException>(() => Collect(cache, TestPaths.Vtest, identity, runner, camera));
        Assert.Contains(path, error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
