using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LineWatch.IntegrationTests.Support;
using Microsoft.Playwright;

namespace LineWatch.IntegrationTests.Fleet;

/// <summary>
/// Three agent processes (the learned line, each with its embedded Mosquitto bridged to one central Mosquitto on
/// loopback) and the fleet view of them: `linewatch fleet --json`, the page of `linewatch fleet --serve` in chromium,
/// and the fleet page of an agent with Fleet:Enabled. One agent is then killed and shown offline by its last will.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed partial class FleetViewTests(LearnedLine line) : IDisposable
{
    private static readonly string[] Boxes = ["box-1", "box-2", "box-3"];
    private readonly TempDirectory _dir = new();
    private readonly List<int> _orphans = [];

    private AgentProcess StartAgent(string id, int centralPort, int? dashboardPort)
    {
        var folder = Path.Combine(_dir.Path, id);
        Directory.CreateDirectory(folder);
        var dashboard = dashboardPort is { } port
            ? $$""" "Dashboard": { "Urls": "http://127.0.0.1:{{port}}" }, "Fleet": { "Enabled": true }, """
            : """ "Dashboard": { "Enabled": false }, """;
        var config = Path.Combine(folder, "linewatch.json");
        File.WriteAllText(config, $$"""
            {
              "AgentId": "{{id}}", "DataDir": "{{line.NewDataDir(folder)}}",
              "Cameras": [ { "Name": "line", "Source": "{{line.Faulty.VideoPath}}", "AnalysisFps": 8, "Stride": 4, "Loop": true } ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu", "IntraOpThreads": 1 },
              "Mqtt": { "Mode": "embedded", "Port": {{MosquittoBroker.FreePort()}}, "TopicPrefix": "it",
                        "Uplink": { "Enabled": true, "Host": "127.0.0.1", "Port": {{centralPort}}, "KeepAliveSeconds": 5 } },
              "Alerts": { "CooldownSeconds": 1 },
              {{dashboard}}
              "ShutdownTimeoutSeconds": 5
            }
            """);
        var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Analysis started", TimeSpan.FromSeconds(30)), agent.Output);
        return agent;
    }

    private static JsonElement Agent(JsonElement report, string id) =>
        report.GetProperty("fleet").GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);

    [Fact]
    public async Task The_fleet_view_shows_three_agents_their_cameras_alerts_and_latency_and_one_going_offline()
    {
        using var central = new MosquittoBroker();
        var dashboardPort = MosquittoBroker.FreePort();
        var agents = Boxes.Select((id, i) => StartAgent(id, central.Port, i == 0 ? dashboardPort : null)).ToList();
        try
        {
            var servePort = MosquittoBroker.FreePort();
            var serveUrl = $"http://127.0.0.1:{servePort}";
            using var serve = AgentProcess.Start("fleet", "--broker", $"127.0.0.1:{central.Port}", "--prefix", "it", "--serve", serveUrl);
            Assert.True(serve.WaitForOutput("Fleet page on", TimeSpan.FromSeconds(20)), serve.Output);
            using var http = new HttpClient { BaseAddress = new Uri(serveUrl) };

            // Every agent online, its camera's state, version and latency, and (the faulty line alerts every ~30 s) an alert.
            JsonElement report = default;
            await EventuallyAsync(async () =>
            {
                report = await http.GetFromJsonAsync<JsonElement>("/api/fleet");
                return Boxes.All(id => report.GetProperty("fleet").GetProperty("agents").EnumerateArray().Any(a => a.GetProperty("id").GetString() == id
                    && a.GetProperty("online").GetBoolean() && a.GetProperty("cameras").GetArrayLength() == 1 && a.GetProperty("last_alerts").GetArrayLength() > 0
                    && a.GetProperty("inference_p50_ms").ValueKind == JsonValueKind.Number));
            }, TimeSpan.FromSeconds(120), "three agents online with a camera, latency and an alert");
            foreach (var id in Boxes)
            {
                var agent = Agent(report, id);
                Assert.Equal("line", agent.GetProperty("cameras")[0].GetProperty("name").GetString());
                Assert.Contains(agent.GetProperty("cameras")[0].GetProperty("state").GetString(), new[] { "normal", "anomaly" });
                Assert.False(string.IsNullOrEmpty(agent.GetProperty("version").GetString()));
                Assert.Equal("1", agent.GetProperty("uplink").GetString());
            }

            // An agent id is whatever a client of the broker writes into a topic: the page must show it as text.
            const string hostile = "<img id=injected src=x onerror=document.title='pwned'>";
            central.Publish($"it/{hostile}/status", "online", retain: true);

            await using var browser = await Browser.Launch();
            var page = await browser.Open(serveUrl + "/");
            await Assertions.Expect(page.Locator("tr.agent-row")).ToHaveCountAsync(4, new() { Timeout = 10_000 });
            foreach (var id in Boxes)
            {
                var row = page.Locator($"tr.agent-row[data-agent='{id}']");
                await Assertions.Expect(row).ToHaveAttributeAsync("data-online", "true");
                await Assertions.Expect(row.Locator(".fleet-camera[data-camera='line']")).ToBeVisibleAsync();
                Assert.True(await row.Locator(".fleet-alert").CountAsync() > 0, $"{id} shows no alert");
            }
            await Assertions.Expect(page.Locator("#injected")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("tr.agent-row td.name").Filter(new() { HasText = hostile })).ToHaveCountAsync(1);
            Assert.NotEqual("pwned", await page.TitleAsync());
            await page.ScreenshotAsync(new() { Path = Browser.Artifact("fleet.png") });

            // box-3's agent dies (kill -9): its embedded broker, still up, publishes the agent's last will, and the bridge forwards it.
            var brokerPid = int.Parse(EmbeddedPid().Match(agents[2].Output).Groups[1].Value);
            _orphans.Add(brokerPid);
            agents[2].Signal(9);
            var offline = page.Locator("tr.agent-row[data-agent='box-3']");
            await Assertions.Expect(offline).ToHaveAttributeAsync("data-online", "false", new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("tr.agent-row[data-agent='box-1']")).ToHaveAttributeAsync("data-online", "true");

            // The same from the command line, and from the fleet page of box-1's own dashboard.
            var (code, output) = AgentProcess.Run("fleet", "--broker", $"127.0.0.1:{central.Port}", "--prefix", "it", "--json", "--wait", "2");
            Assert.Equal(0, code);
            var cli = JsonDocument.Parse(output[output.IndexOf('{')..]).RootElement;
            Assert.True(Agent(cli, "box-1").GetProperty("online").GetBoolean());
            Assert.True(Agent(cli, "box-2").GetProperty("online").GetBoolean());
            Assert.Equal("offline", Agent(cli, "box-3").GetProperty("status").GetString());
            Assert.False(Agent(cli, "box-3").GetProperty("online").GetBoolean());
            using var dashboard = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}") };
            var fromAgent = await dashboard.GetFromJsonAsync<JsonElement>("/api/fleet");
            Assert.True(fromAgent.GetProperty("connected").GetBoolean());
            Assert.False(Agent(fromAgent, "box-3").GetProperty("online").GetBoolean());
            Assert.True(Agent(fromAgent, "box-2").GetProperty("online").GetBoolean());
            Assert.Contains("fleet.js", await dashboard.GetStringAsync("/fleet"));

            // The Grafana dashboard shipped for the fleet asks only for metrics an agent's /metrics really has.
            var metrics = await dashboard.GetStringAsync("/metrics");
            var grafana = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "install", "grafana", "linewatch-fleet.json"));
            var asked = MetricName().Matches(grafana).Select(m => m.Value).Distinct().ToList();
            Assert.True(asked.Count >= 10, string.Join(", ", asked));
            Assert.All(asked, name => Assert.Matches($"(?m)^{name}[{{ ]", metrics));

            Assert.Empty(browser.Problems);
        }
        finally
        {
            foreach (var agent in agents) agent.Dispose();
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
            await Task.Delay(500);
        }
    }

    [GeneratedRegex(@"\blinewatch_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"Embedded MQTT broker started on [^ ]+ \(pid (\d+)\)")]
    private static partial Regex EmbeddedPid();

    public void Dispose()
    {
        // A broker whose agent was killed outlives it (nothing stops it): end it here.
        foreach (var pid in _orphans) ShellCommand.Run("/bin/kill", "-9", pid.ToString());
        _dir.Dispose();
    }
}
