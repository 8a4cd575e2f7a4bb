using System.Net.Http.Json;
using System.Text.Json;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Hosting;

/// <summary>
/// Editing the configuration file of the running agent process (the generated line, a real Mosquitto): a bad edit is
/// rejected by key while the agent runs on; a key only a restart applies is named; the alert policy applies at once;
/// a camera taken out of the file stops and leaves the listings, put back starts, and one the agent never ran starts in a
/// free slot or, with none left, in a removed camera's slot with nothing of that camera; one refused for want of a slot
/// starts when a slot frees; while the other camera runs on. The process is the same throughout and the camera's scored windows keep rising.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class ConfigReloadTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Edits_of_the_file_apply_the_alert_policy_live_reject_a_bad_version_and_name_what_needs_a_restart()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        // A threshold no window reaches: the hand in the work area (every 25 s) raises nothing.
        const string silent = "\"OnScore\": 50, \"OffScore\": 0.28, \"FastScore\": 50, \"CriticalScore\": 60, \"MinWindows\": 1, \"CooldownSeconds\": 0";
        var (config, _) = line.AgentConfig(_dir.Path, broker.Port, port, alerts: silent);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var pid = agent.Pid;
        var original = File.ReadAllText(config);

        // A bad value: rejected, named by key, and the agent keeps scoring.
        var scored = await AgentState.WindowsScored(http, "line");
        File.WriteAllText(config, original.Replace("\"OnScore\": 50", "\"OnScore\": -1"));
        Assert.True(agent.WaitForOutput("Configuration change rejected", TimeSpan.FromSeconds(10)), agent.Output);
        Assert.Contains("Alerts:OnScore", agent.Output.Split('\n').First(l => l.Contains("Configuration change rejected")));
        Eventually.True(() => AgentState.WindowsScored(http, "line").Result > scored + 2, TimeSpan.FromSeconds(20), "windows scored after the rejected edit");

        // A key only a restart applies: named, value not shown.
        File.WriteAllText(config, original.Replace("\"TopicPrefix\": \"it\"", "\"TopicPrefix\": \"it\", \"KeepAliveSeconds\": 45"));
        Assert.True(agent.WaitForOutput("Configuration change of Mqtt takes effect after a restart", TimeSpan.FromSeconds(10)), agent.Output);

        // The alert policy: the line's fault alerts within one loop of the clip once the threshold is down.
        Assert.DoesNotContain("Alert ", agent.Output.Split('\n').Where(l => l.Contains(" on line: score")));
        scored = await AgentState.WindowsScored(http, "line");
        File.WriteAllText(config, original.Replace(silent, LearnedLine.FastAlerts).Replace("\"TopicPrefix\": \"it\"", "\"TopicPrefix\": \"it\", \"KeepAliveSeconds\": 45"));
        Assert.True(agent.WaitForOutput("Configuration change applied: Alerts (OnScore 0.42", TimeSpan.FromSeconds(10)), agent.Output);
        Assert.True(agent.WaitForOutput(" on line: score", TimeSpan.FromSeconds(45)), "no alert after lowering the threshold: " + agent.Output);
        var state = await http.GetFromJsonAsync<JsonElement>("/api/state");
        Assert.Equal(0.42, state.GetProperty("threshold").GetDouble());
        Assert.True(await AgentState.WindowsScored(http, "line") > scored);
        Assert.Equal(pid, agent.Pid);
        Assert.False(agent.HasExited);
        Assert.Single(agent.Output.Split('\n'), l => l.Contains("Analysis started"));
    }

    [Fact]
    public async Task A_camera_removed_from_the_file_stops_and_put_back_starts_while_the_other_camera_runs_without_a_gap()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var dataDir = line.NewDataDir(_dir.Path);
        var config = Path.Combine(_dir.Path, "linewatch.json");
        // "line" settles for 10 s after any (re)start, so a restart of it would show as a gap of that length.
        string Config(bool withBelt) => $$"""
            {
              "AgentId": "it-agent", "DataDir": "{{dataDir}}",
              "Cameras": [
                { "Name": "line", "Source": "{{line.Faulty.VideoPath}}", "Stride": 4, "Loop": true, "SettleSeconds": 10 }
                {{(withBelt ? $", {{ \"Name\": \"belt\", \"Source\": \"{line.Faulty.VideoPath}\", \"Loop\": true }}" : "")}}
              ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "Port": {{broker.Port}}, "TopicPrefix": "it" },
              "Dashboard": { "Urls": "http://127.0.0.1:{{port}}" }
            }
            """;
        File.WriteAllText(config, Config(withBelt: true));
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Eventually.True(() => AgentState.WindowsScored(http, "line").Result > 0, TimeSpan.FromSeconds(30), "line's first scored window");
        Eventually.True(() => AgentState.Camera(http, "belt").Result.GetProperty("capture").GetString() == "streaming", TimeSpan.FromSeconds(20), "belt streaming");

        // Watch line's scored windows while belt leaves and comes back.
        var watching = true;
        var gaps = new List<double>();
        var watcher = Task.Run(async () =>
        {
            var last = AgentState.WindowsScored(http, "line").Result;
            var since = DateTime.UtcNow;
            while (Volatile.Read(ref watching))
            {
                await Task.Delay(200);
                var now = await AgentState.WindowsScored(http, "line");
                if (now == last) continue;
                lock (gaps) gaps.Add((DateTime.UtcNow - since).TotalSeconds);
                (last, since) = (now, DateTime.UtcNow);
            }
        });

        var picture = (await AgentState.Camera(http, "belt")).GetProperty("picture").GetInt64();
        File.WriteAllText(config, Config(withBelt: false));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera belt removed; its capture stopped", TimeSpan.FromSeconds(15)), agent.Output);
        Assert.Contains("Camera belt stopped: removed from the configuration", agent.Output);
        // The state the API serves is a snapshot taken every second.
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["line"]), TimeSpan.FromSeconds(5), "belt no longer listed: " + agent.Output);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/cameras/belt/frame.jpg")).StatusCode);

        File.WriteAllText(config, Config(withBelt: true));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera belt back in the configuration", TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["line", "belt"]), TimeSpan.FromSeconds(5), "belt listed again");
        Eventually.True(() => AgentState.Camera(http, "belt").Result.GetProperty("picture").GetInt64() > picture, TimeSpan.FromSeconds(20), "belt's pictures after it was put back");

        // A new source restarts that camera alone (the same file, named as a URL).
        picture = (await AgentState.Camera(http, "belt")).GetProperty("picture").GetInt64();
        File.WriteAllText(config, Config(withBelt: true).Replace($"\"Source\": \"{line.Faulty.VideoPath}\", \"Loop\": true }}", $"\"Source\": \"file://{line.Faulty.VideoPath}\", \"Loop\": true }}"));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera belt restarted alone for Cameras:1:Source", TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Camera(http, "belt").Result.GetProperty("picture").GetInt64() > picture + 2, TimeSpan.FromSeconds(20), "belt's pictures from its new source");

        // A camera the agent never ran takes a free slot and starts.
        File.WriteAllText(config, Config(withBelt: true).Replace("\"Name\": \"belt\"", "\"Name\": \"paint\""));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera paint added in slot 2 of 16; its capture started", TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["line", "paint"]), TimeSpan.FromSeconds(5), "paint listed in belt's place");
        Eventually.True(() => AgentState.Camera(http, "paint").Result.GetProperty("picture").GetInt64() > 0, TimeSpan.FromSeconds(20), "paint's pictures");

        Volatile.Write(ref watching, false);
        await watcher;
        lock (gaps)
        {
            Assert.True(gaps.Count > 5, $"line scored only {gaps.Count} windows while belt left and came back");
            Assert.True(gaps.Max() < 5, $"line paused {gaps.Max():0.0} s: {string.Join(", ", gaps.Select(g => g.ToString("0.0")))}");
        }
        Assert.DoesNotContain("Camera line stopped", agent.Output);
        Assert.Single(agent.Output.Split('\n'), l => l.Contains("Analysis started"));
    }

    [Fact]
    public async Task A_camera_added_to_the_file_starts_scored_alerting_and_listed_without_restarting_the_other_a_removed_one_leaves_the_listings_and_its_slot_passes_to_a_new_one()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var dataDir = line.NewDataDir(_dir.Path); // holds line's learned profile; belt has none and runs unscored
        var config = Path.Combine(_dir.Path, "linewatch.json");
        const string prefix = "it/it-agent";
        var maxCameras = 2;
        string Config(params string[] added) => $$"""
            {
              "AgentId": "it-agent", "DataDir": "{{dataDir}}", "MaxCameras": {{maxCameras}},
              "Cameras": [
                { "Name": "belt", "Source": "{{line.Faulty.VideoPath}}", "Stride": 4, "Loop": true }
                {{string.Concat(added.Select(name => $", {{ \"Name\": \"{name}\", \"Source\": \"{line.Faulty.VideoPath}\", \"Stride\": 4, \"Loop\": true }}"))}}
              ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "Port": {{broker.Port}}, "TopicPrefix": "it", "HomeAssistant": { "Enabled": true } },
              "Alerts": { {{LearnedLine.FastAlerts}} },
              "Dashboard": { "Urls": "http://127.0.0.1:{{port}}" }
            }
            """;
        File.WriteAllText(config, Config());
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Eventually.True(() => AgentState.WindowsScored(http, "belt").Result > 0, TimeSpan.FromSeconds(30), "belt's first window");
        Assert.Equal(["belt"], await AgentState.Names(http));
        using var mqtt = new SubscriptionRecorder(broker, $"{prefix}/#");

        // belt's counters, watched throughout: a restart of belt would start them again from 0 (or stop them for a while).
        var watching = true;
        var (gaps, drops) = (new List<double>(), new List<string>());
        var watcher = Task.Run(async () =>
        {
            var (windows, picture) = (0L, 0L);
            var since = DateTime.UtcNow;
            while (Volatile.Read(ref watching))
            {
                await Task.Delay(200);
                var belt = await AgentState.Camera(http, "belt");
                var (w, p) = (belt.GetProperty("windows_scored").GetInt64(), belt.GetProperty("picture").GetInt64());
                lock (gaps)
                {
                    if (w < windows || p < picture) drops.Add($"windows {windows} -> {w}, pictures {picture} -> {p}");
                    if (w > windows && windows > 0) gaps.Add((DateTime.UtcNow - since).TotalSeconds);
                }
                if (w != windows) since = DateTime.UtcNow;
                (windows, picture) = (w, p);
            }
        });

        // Added: it takes the free slot, streams, is scored with its profile, alerts, and is listed on the API and MQTT.
        File.WriteAllText(config, Config("line"));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera line added in slot 1 of 2; its capture started", TimeSpan.FromSeconds(15)), agent.Output);
        // The state the API serves is a snapshot taken every second.
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["belt", "line"]), TimeSpan.FromSeconds(5), "line listed");
        Eventually.True(() => AgentState.Camera(http, "line").Result.GetProperty("score").ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(30),
            "line's first scored window: " + agent.Output);
        var added = await AgentState.Camera(http, "line");
        Assert.Equal("streaming", added.GetProperty("capture").GetString());
        Assert.Equal(1, added.GetProperty("profile").GetProperty("version").GetInt32());
        Assert.True(agent.WaitForOutput(" on line: score", TimeSpan.FromSeconds(45)), "no alert from the added camera: " + agent.Output);
        Eventually.True(() => mqtt.Messages.Any(m => m.Topic == $"{prefix}/line/events" && m.Payload.Contains("\"start\"")), TimeSpan.FromSeconds(10), "line's alert on MQTT");
        Eventually.True(() => mqtt.Messages.Any(m => m.Topic == $"{prefix}/line/state" && m.Payload.Contains("\"capture\":\"streaming\"")), TimeSpan.FromSeconds(10),
            "line's MQTT state");
        Assert.Equal("ON", broker.ReadOne($"{prefix}/line/enabled/state"));
        const string discovery = "homeassistant/binary_sensor/it-agent_line_anomaly/config";
        Assert.Contains("\"state_topic\":\"it/it-agent/line/state\"", broker.ReadOne(discovery));

        // Its commands work like any camera's.
        broker.Publish($"{prefix}/line/enabled/set", "OFF");
        Eventually.True(() => !AgentState.Camera(http, "line").Result.GetProperty("enabled").GetBoolean(), TimeSpan.FromSeconds(10), "line switched off over MQTT");
        Assert.Equal("OFF", broker.ReadOne($"{prefix}/line/enabled/state"));
        broker.Publish($"{prefix}/line/enabled/set", "ON");
        Eventually.True(() => AgentState.Camera(http, "line").Result.GetProperty("enabled").GetBoolean(), TimeSpan.FromSeconds(10), "line switched on over MQTT");

        // Removed: gone from the API at the next snapshot, its retained MQTT states cleared.
        var lineWindows = await AgentState.WindowsScored(http, "line");
        File.WriteAllText(config, Config());
        Assert.True(agent.WaitForOutput("Configuration change applied: camera line removed", TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["belt"]), TimeSpan.FromSeconds(5), "line gone from /api/state");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/cameras/line/scores")).StatusCode);
        Assert.Null(broker.ReadOne($"{prefix}/line/state", timeoutSeconds: 2));
        Assert.Null(broker.ReadOne($"{prefix}/line/enabled/state", timeoutSeconds: 2));
        Assert.Null(broker.ReadOne(discovery, timeoutSeconds: 2));
        Assert.NotNull(broker.ReadOne("homeassistant/binary_sensor/it-agent_belt_anomaly/config", timeoutSeconds: 2));
        // Its alerts stay in the history, which can still be asked about it.
        var history = await http.GetAsync("/api/alerts?camera=line");
        Assert.Equal(System.Net.HttpStatusCode.OK, history.StatusCode);
        Assert.Contains("\"camera\":\"line\"", await history.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync("/api/alerts?camera=paint")).StatusCode);

        // A new name with no slot left unused takes line's (the one removed): nothing of line comes with it. paint has no
        // profile, so a score, a map or a chart point there could only be line's.
        File.WriteAllText(config, Config("paint"));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera paint added in slot 1 of 2 (camera line's, removed); its capture started",
            TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["belt", "paint"]), TimeSpan.FromSeconds(5), "paint listed in line's slot");
        Eventually.True(() => AgentState.WindowsScored(http, "paint").Result > 0, TimeSpan.FromSeconds(30), "paint's first window");
        var paint = await AgentState.Camera(http, "paint");
        Assert.Equal(JsonValueKind.Null, paint.GetProperty("score").ValueKind);
        Assert.Equal(JsonValueKind.Null, paint.GetProperty("alert_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, paint.GetProperty("profile").ValueKind);
        Assert.Empty(paint.GetProperty("map").EnumerateArray());
        Assert.Equal("[]", await http.GetStringAsync("/api/cameras/paint/scores?minutes=20"));
        Assert.Equal("ON", broker.ReadOne($"{prefix}/paint/enabled/state"));
        Assert.Null(broker.ReadOne($"{prefix}/line/state", timeoutSeconds: 2));
        // line's history stays askable though its slot is gone.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/api/alerts?camera=line")).StatusCode);

        // A third camera with MaxCameras raised to 3 (which only a restart applies): both slots hold configured cameras, so
        // it is refused, said so, and the agent runs on.
        maxCameras = 3;
        File.WriteAllText(config, Config("paint", "press"));
        Assert.True(agent.WaitForOutput("(camera press added) not applied: all 2 camera slots are taken", TimeSpan.FromSeconds(15)), agent.Output);
        Assert.Contains("Configuration change of MaxCameras takes effect after a restart", agent.Output);
        Assert.Equal(["belt", "paint"], await AgentState.Names(http));
        Eventually.True(() => AgentState.WindowsScored(http, "paint").Result >= 12, TimeSpan.FromSeconds(60), "paint's windows");

        // paint leaves: press, refused earlier and still in the file, starts in the slot it frees, without a restart.
        File.WriteAllText(config, Config("press"));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera press, waiting for a free slot, started in slot 1 of 2 (camera paint's, removed); its capture started",
            TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["belt", "press"]), TimeSpan.FromSeconds(5), "press listed");
        Eventually.True(() => AgentState.WindowsScored(http, "press").Result >= 12, TimeSpan.FromSeconds(60), "press's windows");
        Assert.Null(broker.ReadOne($"{prefix}/paint/enabled/state", timeoutSeconds: 2));

        // line comes back as a new camera in press's slot: its counters start from zero, it is scored with its profile and alerts.
        var pressLast = await AgentState.Camera(http, "press");
        var alertsBefore = agent.Output.Split('\n').Count(l => l.Contains(" on line: score"));
        File.WriteAllText(config, Config("line"));
        Assert.True(agent.WaitForOutput("Configuration change applied: camera line added in slot 1 of 2 (camera press's, removed); its capture started",
            TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => AgentState.Names(http).Result.SequenceEqual(["belt", "line"]), TimeSpan.FromSeconds(5), "line listed in press's slot");
        var back = await AgentState.Camera(http, "line");
        Assert.True(back.GetProperty("windows_scored").GetInt64() < pressLast.GetProperty("windows_scored").GetInt64(), $"line starts with press's windows: {back}");
        Assert.True(back.GetProperty("picture").GetInt64() < pressLast.GetProperty("picture").GetInt64(), $"line starts with press's pictures: {back}");
        Assert.True(back.GetProperty("windows_scored").GetInt64() < lineWindows, $"line starts with its old windows: {back}");
        Eventually.True(() => AgentState.Camera(http, "line").Result.GetProperty("score").ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(30),
            "line's first scored window in its new slot: " + agent.Output);
        Assert.Equal(1, (await AgentState.Camera(http, "line")).GetProperty("profile").GetProperty("version").GetInt32());
        Eventually.True(() => agent.Output.Split('\n').Count(l => l.Contains(" on line: score")) > alertsBefore, TimeSpan.FromSeconds(45),
            "no alert from line in its new slot: " + agent.Output);
        Eventually.True(() => broker.ReadOne($"{prefix}/line/state", timeoutSeconds: 2) is { } state && state.Contains("\"capture\":\"streaming\""),
            TimeSpan.FromSeconds(20), "line's MQTT state again");

        Volatile.Write(ref watching, false);
        await watcher;
        lock (gaps)
        {
            Assert.Empty(drops);
            Assert.True(gaps.Count > 5, $"belt scored only {gaps.Count} windows while line came and went");
            Assert.True(gaps.Max() < 5, $"belt paused {gaps.Max():0.0} s: {string.Join(", ", gaps.Select(g => g.ToString("0.0")))}");
        }
        Assert.DoesNotContain("Camera belt stopped", agent.Output);
        Assert.Single(agent.Output.Split('\n'), l => l.Contains("Analysis started"));
        Assert.False(agent.HasExited);
    }

    public void Dispose() => _dir.Dispose();
}
