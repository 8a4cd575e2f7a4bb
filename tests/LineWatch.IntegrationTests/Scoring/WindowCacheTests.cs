using LineWatch.Capture;
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
    private readonly ModelIdentity _identity;
    private readonly LoadedModel _model;
    private readonly BackboneRunner _runner;
    private string Cache => _dir.File("cache");
    private string CachePath => WindowCache.PathFor(Cache, TestPaths.Vtest, _identity, _camera);

    /// <summary>A small random-weight backbone: the cache stores whatever the backbone gives, so its size does not matter.</summary>
    public WindowCacheTests()
    {
        var spec = BackboneSpec.Custom(BackboneArch.VideoMambaPro, dim: 32, depth: 1, frames: 4, imageSize: 32);
        var path = _dir.File("model.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, RandomWeights.Create(spec, 0), ScanKind.Custom), path);
        _identity = ModelIdentity.Of(path);
        _model = OrtSessionFactory.Create(path, new ModelOptions { Device = ModelDevice.Cpu }, NullLogger.Instance);
        _runner = new BackboneRunner(_model, 4);
    }

    /// <summary>Every window of vtest.avi through the cache in <paramref name="cache"/> (null: straight from the backbone).</summary>
    private List<(int Frame, float[] Embedding, float[] Tokens, float[] Signals)> Collect(string? cache)
    {
        var windows = new List<(int, float[], float[], float[])>();
        WindowCache.Run(cache, TestPaths.Vtest, _identity, _runner, _camera,
            (in OfflineWindow w) => windows.Add((w.NewestFrame, w.Embedding.ToArray(), w.Tokens.ToArray(), w.Signals.ToArray())));
        return windows;
    }

    /// <summary>Rewrites a cache as an agent before signal versions wrote it (format 2), with every signal zeroed, as a
    /// probe that measured something else would have left it, and each frame's signals <paramref name="fewer"/> floats
    /// shorter, as a probe that measured less; returns how many windows it holds.</summary>
    private int AsStaleFormat2(string path, int fewer = 0)
    {
        using var input = new BinaryReader(File.OpenRead(path));
        Assert.Equal("LWWINDOWS3", System.Text.Encoding.ASCII.GetString(input.ReadBytes(10)));
        var dim = input.ReadInt32();
        input.ReadInt32(); // the signals' version
        var stale = path + ".stale";
        var windows = 0;
        using (var output = new BinaryWriter(File.Create(stale)))
        {
            output.Write(System.Text.Encoding.ASCII.GetBytes("LWWINDOWS2"));
            output.Write(dim);
            while (input.BaseStream.Position < input.BaseStream.Length)
            {
                var (frame, embedding, tokens, signals) = (input.ReadInt32(), input.ReadInt32(), input.ReadInt32(), input.ReadInt32());
                output.Write(frame);
                output.Write(embedding);
                output.Write(tokens);
                var frames = signals / FrameSignals.Length(_identity.ImageSize / ClipShape.PatchSize);
                output.Write(signals - fewer * frames);
                output.Write(input.ReadBytes(4 * (embedding + tokens)));
                input.ReadBytes(4 * signals);
                output.Write(new byte[4 * (signals - fewer * frames)]);
                windows++;
            }
        }
        input.Close();
        File.Move(stale, path, overwrite: true);
        return windows;
    }

    [Fact]
    public void A_replay_gives_the_backbones_windows_exactly_and_a_changed_sampling_misses()
    {
        var computed = Collect(Cache);
        Assert.True(File.Exists(CachePath));
        var replayed = Collect(Cache);
        var uncached = Collect(null);

        Assert.True(computed.Count > 50, $"{computed.Count} windows");
        Assert.Equal(computed.Count, replayed.Count);
        Assert.Equal(uncached.Count, replayed.Count);
        for (var i = 0; i < computed.Count; i++)
        {
            Assert.Equal(computed[i].Frame, replayed[i].Frame);
            Assert.Equal(computed[i].Embedding, replayed[i].Embedding);
            Assert.Equal(computed[i].Tokens, replayed[i].Tokens);
        }
        Assert.NotEqual(CachePath, WindowCache.PathFor(Cache, TestPaths.Vtest, _identity, new CameraOptions { AnalysisFps = 4, Stride = 3, SettleSeconds = 0 }));
    }

    [Fact]
    public void Signals_of_another_probe_version_are_measured_again_and_the_backbones_outputs_kept()
    {
        var computed = Collect(Cache);
        var path = CachePath;
        Assert.Equal(computed.Count, AsStaleFormat2(path));

        var replayed = Collect(Cache);

        Assert.Equal(computed.Count, replayed.Count);
        for (var i = 0; i < computed.Count; i++)
        {
            Assert.Equal(computed[i].Frame, replayed[i].Frame);
            Assert.Equal(computed[i].Tokens, replayed[i].Tokens);
            Assert.Equal(computed[i].Signals, replayed[i].Signals);
        }
        Assert.Contains(computed, w => w.Signals.Any(v => v != 0));
        using var file = new BinaryReader(File.OpenRead(path));
        Assert.Equal("LWWINDOWS3", System.Text.Encoding.ASCII.GetString(file.ReadBytes(10)));
        file.ReadInt32();
        Assert.Equal(FrameSignalProbe.Version, file.ReadInt32());
    }

    [Fact]
    public void Signals_of_a_probe_that_measured_less_per_frame_are_measured_again_at_todays_length()
    {
        var computed = Collect(Cache);
        var grid = _identity.ImageSize / ClipShape.PatchSize;
        AsStaleFormat2(CachePath, fewer: 4 * grid); // as probe version 3 wrote them: no strips' shifts

        var replayed = Collect(Cache);

        Assert.Equal(computed.Count, replayed.Count);
        for (var i = 0; i < computed.Count; i++)
        {
            Assert.Equal(computed[i].Tokens, replayed[i].Tokens);
            Assert.Equal(computed[i].Signals, replayed[i].Signals);
        }
    }

    [Fact]
    public void A_stale_cache_whose_windows_are_not_the_videos_is_refused_with_its_path()
    {
        Collect(Cache);
        var path = CachePath;
        AsStaleFormat2(path);
        using (var file = File.OpenWrite(path))
        {
            file.Position = 14; // the first window's frame
            file.Write(BitConverter.GetBytes(-5));
        }

        var error = Assert.Throws<InvalidDataException>(() => Collect(Cache));
        Assert.Contains(path, error.Message);
        Assert.Contains("not the video's", error.Message);
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void A_damaged_cache_is_refused_with_its_path()
    {
        Collect(Cache);
        var path = CachePath;
        using (var file = File.OpenWrite(path)) file.SetLength(file.Length - 7); // a crash mid-write

        var error = Assert.Throws<InvalidDataException>(() => Collect(Cache));
        Assert.Contains(path, error.Message);
    }

    public void Dispose()
    {
        _runner.Dispose();
        _model.Dispose();
        _dir.Dispose();
    }
}
