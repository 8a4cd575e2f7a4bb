using LineWatch.Configuration;
using LineWatch.Inference;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using LineWatch.Processing;
using LineWatch.Scoring;
using LineWatch.Simulation;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A camera "line" whose normal operation was learned, for tests that need real alerts: a small real backbone,
/// 90 s of generated normal footage learned into a profile, and a 25 s faulty clip (a hand in the work area
/// from 20 s to 24 s) that, looped, raises an alert about every half minute. Made once per test class.
/// </summary>
public sealed class LearnedLine : IDisposable
{
    public const string Camera = "line";

    /// <summary>
    /// Alert settings with the threshold inside the top of the line's normal scores and no cooldown: alerts start and end
    /// every few seconds. With scoring v5 this line's normal windows score 0.29-0.46 (its quiet patches count in their own
    /// spread, learned from 90 s), so a threshold of 0.3 was crossed for good and raised one endless alert.
    /// </summary>
    public const string FastAlerts = "\"OnScore\": 0.42, \"OffScore\": 0.4, \"MinWindows\": 1, \"CooldownSeconds\": 0";
    private readonly TempDirectory _dir = new();

    public LearnedLine()
    {
        var spec = BackboneSpec.Custom(BackboneArch.VideoMambaPro, dim: 64, depth: 2, frames: 8, imageSize: 64);
        ModelPath = _dir.File("model.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, RandomWeights.Create(spec, 0), ScanKind.Custom), ModelPath);
        var normal = DemoVideoWriter.Write(_dir.Path, "normal", 90, seed: 5, faults: []);
        NormalVideo = normal.VideoPath;
        Faulty = DemoVideoWriter.Write(_dir.Path, "faulty", 25, seed: 6, faults: [FaultTypes.Hand]);
        Identity = ModelIdentity.Of(ModelPath);
        Options = new AgentOptions { DataDir = _dir.Path };
        Options.Cameras.Add(new CameraOptions { Name = Camera, Source = Faulty.VideoPath, AnalysisFps = 8, Stride = 4, Loop = false });
        Options.Model.Device = ModelDevice.Cpu;
        using var model = OrtSessionFactory.Create(ModelPath, Options.Model, NullLogger.Instance);
        using var runner = new BackboneRunner(model, 4);
        ProfileLearner.Learn(runner, Identity, Camera, [normal.VideoPath], Options.Cameras[0], Options.Learning).Profile.Save(ProfilePath);
    }

    public string ModelPath { get; }

    /// <summary>The 90 s of normal footage the profile was learned from (for tests that learn again).</summary>
    public string NormalVideo { get; }
    public DemoVideoWriter.Output Faulty { get; }
    public ModelIdentity Identity { get; }

    /// <summary>Options whose DataDir holds the learned profile (tests copy it into their own data directories).</summary>
    public AgentOptions Options { get; }
    public string ProfilePath => ProfileStore.PathFor(_dir.Path, Camera);

    /// <summary>An agent data directory with the learned profile in it.</summary>
    public string NewDataDir(string parent)
    {
        var dataDir = Path.Combine(parent, "data");
        Directory.CreateDirectory(ProfileStore.Directory(dataDir));
        File.Copy(ProfilePath, ProfileStore.PathFor(dataDir, Camera));
        return dataDir;
    }

    /// <summary>
    /// A configuration file in <paramref name="parent"/> for an agent "it-agent" watching the faulty clip, looped, as camera
    /// "line" (with a data directory holding the learned profile), on the broker at <paramref name="brokerPort"/> (prefix
    /// "it"), its dashboard on <paramref name="dashboardPort"/>; <paramref name="sections"/> adds top-level sections and
    /// <paramref name="alerts"/> is the <c>Alerts</c> section's members (<see cref="FastAlerts"/>: an alert every few seconds).
    /// </summary>
    public (string Config, string DataDir) AgentConfig(string parent, int brokerPort, int dashboardPort, string sections = "",
        string alerts = "\"CooldownSeconds\": 1")
    {
        var dataDir = NewDataDir(parent);
        var config = Path.Combine(parent, "linewatch.json");
        File.WriteAllText(config, $$"""
            {
              "AgentId": "it-agent", "DataDir": "{{dataDir}}",
              "Cameras": [ { "Name": "{{Camera}}", "Source": "{{Faulty.VideoPath}}", "AnalysisFps": 8, "Stride": 4, "Loop": true } ],
              "Model": { "Path": "{{ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "Port": {{brokerPort}}, "TopicPrefix": "it" },
              "Alerts": { {{alerts}} },
              {{sections}}
              "Dashboard": { "Urls": "http://127.0.0.1:{{dashboardPort}}" }
            }
            """);
        return (config, dataDir);
    }

    public void Dispose() => _dir.Dispose();
}
