using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Hosting;

/// <summary>
/// A camera URL's password must not leave the agent: not in the retained MQTT camera state, not in the dashboard's
/// API, not in the log, although the reason the camera is offline (which names the source) is published in all three.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class CameraSecretTests(LearnedLine line) : IDisposable
{
    private const string Password = "Secr3tPass";
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task An_unreachable_camera_with_a_password_is_reported_without_it()
    {
        using var broker = new MosquittoBroker();
        var dashboard = MosquittoBroker.FreePort();
        var unreachable = MosquittoBroker.FreePort(); // nothing listens there
        var config = _dir.File("linewatch.json");
        File.WriteAllText(config, $$"""
            {
              "AgentId": "it-agent", "DataDir": "{{line.NewDataDir(_dir.Path)}}",
              "Cameras": [ { "Name": "gate", "Source": "rtsp://admin:{{Password}}@127.0.0.1:{{unreachable}}/stream" } ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "Port": {{broker.Port}}, "TopicPrefix": "it" },
              "Dashboard": { "Urls": "http://127.0.0.1:{{dashboard}}" }
            }
            """);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);

        string? state = null;
        Eventually.True(() => (state = broker.ReadOne("it/it-agent/gate/state", 2))?.Contains("\"last_error\":\"") == true,
            TimeSpan.FromSeconds(30), "the camera's error in its retained state");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboard}") };
        var api = await http.GetStringAsync("/api/state");

        Assert.Contains("127.0.0.1", state);          // the error still says which source failed
        Assert.DoesNotContain(Password, state);
        Assert.Contains("gate", api);
        Assert.Contains("last_error", api);
        Assert.DoesNotContain(Password, api);
        Assert.DoesNotContain(Password, agent.Output);
    }

    public void Dispose() => _dir.Dispose();
}
