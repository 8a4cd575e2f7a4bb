using System.Text.Json;
using LineWatch.IntegrationTests.Support;
using LineWatch.Model;
using LineWatch.Configuration;
using LineWatch.Model.Backbone;
using LineWatch.Model.Onnx;
using LineWatch.Scoring;

namespace LineWatch.IntegrationTests.Cli;

/// <summary>The real `linewatch` executable, as a user or systemd runs it.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Version_json_reports_every_native_component()
    {
        var (exitCode, output) = AgentProcess.Run("version", "--json");
        Assert.Equal(0, exitCode);

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.StartsWith("1.31.", root.GetProperty("onnxRuntime").GetString());
        var providers = root.GetProperty("executionProviders").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("CPUExecutionProvider", providers);
        Assert.Contains("CUDAExecutionProvider", providers); // the GPU package's runtime, even where no GPU is
        Assert.StartsWith("4.13.", root.GetProperty("openCv").GetString());
        var backends = root.GetProperty("videoBackends").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("FFMPEG", backends);
        Assert.Contains("V4L2", backends);
        Assert.Equal("5.2.0.1603", root.GetProperty("mqttNet").GetString());
        Assert.Contains("SelectiveScan", root.GetProperty("customOps").GetString());
    }

    [Fact]
    public void Check_with_a_bad_value_exits_2_naming_the_key()
    {
        var config = WriteConfig(TestPaths.Vtest, "\"Port\": 99999");
        var (exitCode, output) = AgentProcess.Run("check", "--config", config);

        Assert.Equal(2, exitCode);
        Assert.Contains("Mqtt:Port", output);
        Assert.Contains("99999 must be 1-65535", output);
    }

    [Fact]
    public void Check_with_malformed_json_exits_2_naming_line_and_column()
    {
        var config = _dir.File("broken.json");
        File.WriteAllText(config, "{\n  \"AgentId\": \"a\",\n  \"Cameras\": [ }\n}");
        var (exitCode, output) = AgentProcess.Run("check", "--config", config);

        Assert.Equal(2, exitCode);
        Assert.Contains(config, output);
        Assert.Contains("line 3 column", output);
    }

    [Fact]
    public void Check_passes_when_model_camera_and_broker_all_work()
    {
        using var broker = new MosquittoBroker();
        var config = WriteConfig(TestPaths.Vtest, $"\"Port\": {broker.Port}", "\"Clips\": { \"Enabled\": true },");

        var (exitCode, output) = AgentProcess.Run("check", "--config", config);

        Assert.True(exitCode == 0, output);
        Assert.Contains("[ok] event clips: ffmpeg encodes H.264 (libx264)", output);
        Assert.Contains("[ok] model", output);
        Assert.Contains("CPUExecutionProvider", output);
        Assert.Contains("[ok] camera vtest: file", output);
        Assert.Contains("768x576", output);
        Assert.Contains("[ok] broker: connected", output);
        Assert.Contains("all checks passed", output);
    }

    [Fact]
    public void Check_reports_each_failure_and_exits_1_without_leaking_the_password()
    {
        using var broker = new MosquittoBroker("plant", "right-secret");
        var config = WriteConfig("/nonexistent/cam.mp4",
            $"\"Port\": {broker.Port}, \"Username\": \"plant\", \"Password\": \"wrong-secret-42\", \"ProtocolVersion\": \"3.1.1\"",
            "\"Clips\": { \"Enabled\": true, \"FfmpegPath\": \"/nonexistent/ffmpeg\" },");

        var (exitCode, output) = AgentProcess.Run("check", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("[FAIL] event clips: Clips:FfmpegPath /nonexistent/ffmpeg cannot be run", output);
        Assert.Contains("[FAIL] camera vtest: video file not found: /nonexistent/cam.mp4", output);
        Assert.Contains("[FAIL] broker", output);
        Assert.Contains("refused", output);
        Assert.DoesNotContain("wrong-secret-42", output);
    }

    [Fact]
    public void Run_stops_cleanly_on_sigterm_and_keeps_secrets_out_of_its_logs()
    {
        var config = WriteConfig(TestPaths.Vtest, "\"Username\": \"plant\", \"Password\": \"never-log-me-7\"");
        using var agent = AgentProcess.Start("run", "--config", config);

        Assert.True(agent.WaitForOutput("LineWatch started", TimeSpan.FromSeconds(30)), agent.Output);
        Assert.Contains("on CPUExecutionProvider", agent.Output);
        Assert.Contains("Camera vtest: file", agent.Output);
        agent.Signal(AgentProcess.SigTerm);

        Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(15)), "the agent did not stop within 15 s of SIGTERM:\n" + agent.Output);
        Assert.Equal(0, agent.ExitCode);
        Assert.Contains("LineWatch stopped", agent.Output);

        var logs = Directory.GetFiles(Path.Combine(_dir.Path, "data", "logs"), "linewatch-*.json");
        var logText = File.ReadAllText(Assert.Single(logs));
        Assert.Contains("LineWatch started", logText);
        foreach (var line in File.ReadLines(logs[0])) JsonDocument.Parse(line).Dispose(); // one JSON object per line
        Assert.DoesNotContain("never-log-me-7", logText);
        Assert.DoesNotContain("never-log-me-7", agent.Output);
    }

    [Theory]
    [InlineData(AgentProcess.SigTerm, "clean stop")]
    [InlineData(9, "SIGKILL: the broker publishes the last will")]
    public void Availability_is_online_while_running_and_offline_after_it_stops(int signal, string how)
    {
        using var broker = new MosquittoBroker();
        var config = WriteConfig(TestPaths.Vtest, $"\"Port\": {broker.Port}, \"KeepAliveSeconds\": 5");
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("MQTT connected", TimeSpan.FromSeconds(30)), agent.Output);
        Assert.Equal("online", broker.ReadOne("it/it-agent/status"));

        agent.Signal(signal);
        Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(15)), how);
        // A killed client's will goes out when the broker notices the dead connection (immediately on the reset socket).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string? status;
        do
        {
            status = broker.ReadOne("it/it-agent/status", 2);
        }
        while (status != "offline" && DateTime.UtcNow < deadline);
        Assert.Equal("offline", status);
    }

    [Fact]
    public void Camera_state_and_agent_statistics_are_published_retained()
    {
        using var broker = new MosquittoBroker();
        // A real (small) backbone this time: state is reported for cameras the pipeline analyses.
        var spec = LineWatch.Model.Backbone.BackboneSpec.Custom(LineWatch.Model.Backbone.BackboneArch.VideoMambaPro, 32, 1, 4, 32);
        OnnxModelFile.Save(LineWatch.Model.Backbone.BackboneGraph.Build(spec, LineWatch.Model.Backbone.RandomWeights.Create(spec, 0),
            LineWatch.Model.Backbone.ScanKind.Custom), _dir.File("small.onnx"));
        var config = WriteConfig(TestPaths.Vtest, $"\"Port\": {broker.Port}");
        File.WriteAllText(config, File.ReadAllText(config).Replace("scan.onnx", "small.onnx"));
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("MQTT connected", TimeSpan.FromSeconds(30)), agent.Output);

        string? state = null, stats = null;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((state is null || stats is null) && DateTime.UtcNow < deadline)
        {
            state ??= broker.ReadOne("it/it-agent/vtest/state", 2);
            stats ??= broker.ReadOne("it/it-agent/stats", 2);
        }
        using var stateJson = JsonDocument.Parse(state ?? throw new TimeoutException("no state"));
        Assert.Contains(stateJson.RootElement.GetProperty("state").GetString(), new[] { "normal", "offline" });
        Assert.Equal("streaming", stateJson.RootElement.GetProperty("capture").GetString());
        using var statsJson = JsonDocument.Parse(stats ?? throw new TimeoutException("no stats"));
        Assert.Equal("vtest", statsJson.RootElement.GetProperty("cameras")[0].GetProperty("camera").GetString());
        Assert.Equal(0, statsJson.RootElement.GetProperty("outbox_pending").GetInt32());
    }

    [Fact]
    public void Run_refuses_an_invalid_configuration_with_exit_code_2()
    {
        var config = WriteConfig("ftp://somewhere/cam", "\"Port\": 1883");
        var (exitCode, output) = AgentProcess.Run("run", "--config", config);
        Assert.Equal(2, exitCode);
        Assert.Contains("Cameras:0:Source", output);
    }

    [Fact]
    public void Learn_with_a_damaged_window_cache_exits_with_an_error_naming_the_file()
    {
        var spec = BackboneSpec.Custom(BackboneArch.VideoMambaPro, dim: 32, depth: 1, frames: 8, imageSize: 32);
        var model = _dir.File("backbone.onnx");
        OnnxModelFile.Save(BackboneGraph.Build(spec, RandomWeights.Create(spec, 0), ScanKind.Custom), model);
        var config = _dir.File("learn.json");
        File.WriteAllText(config, $$"""
            { "AgentId": "it-agent", "DataDir": "data", "Model": { "Path": "backbone.onnx", "Device": "cpu" },
              "Cameras": [ { "Name": "vtest", "Source": "{{TestPaths.Vtest}}", "AnalysisFps": 5 } ], "Mqtt": { "Mode": "external" } }
            """);
        var cache = _dir.File("cache");
        Directory.CreateDirectory(cache);
        var damaged = WindowCache.PathFor(cache, Path.GetFullPath(TestPaths.Vtest), ModelIdentity.Of(model), new CameraOptions { AnalysisFps = 5 });
        File.WriteAllText(damaged, "not windows");

        var (exitCode, output) = AgentProcess.Run("learn", "--config", config, "--camera", "vtest", "--from", TestPaths.Vtest, "--cache", cache);

        Assert.Equal(1, exitCode);
        Assert.Contains($"linewatch: {damaged}: not a LineWatch window cache", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    /// <summary>A configuration whose model is a real one-op graph using our custom op; <paramref name="mqtt"/> adds MQTT settings.</summary>
    private string WriteConfig(string camera, string mqtt, string sections = "")
    {
        var model = _dir.File("scan.onnx");
        if (!File.Exists(model)) OnnxModelFile.Save(SelectiveScanModel.Build(new ScanFlags()), model);
        var path = _dir.File($"linewatch-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "AgentId": "it-agent",
              "DataDir": "data",
              "Cameras": [ { "Name": "vtest", "Source": "{{camera}}", "AnalysisFps": 5 } ],
              "Model": { "Path": "scan.onnx", "Device": "cpu" },
              "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "TopicPrefix": "it", {{mqtt}} },
              {{sections}}
              "ShutdownTimeoutSeconds": 5
            }
            """);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
