using System.Net.Http.Json;
using System.Text.Json;
using LineWatch.IntegrationTests.Support;
using Xunit.Abstractions;

namespace LineWatch.IntegrationTests.Scoring;

/// <summary>
/// Profile versions end to end: `linewatch learn` and `linewatch profile` as processes, the running agent (its
/// /api/state says which version and thresholds it scores with), Mosquitto for the MQTT command and retained state,
/// and a real alert marked a false alarm and undone through the dashboard API.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class ProfileVersionTests(LearnedLine line, ITestOutputHelper report) : IDisposable
{
    private const string Prefix = "it/it-agent";
    private readonly TempDirectory _dir = new();

    private static (int ExitCode, string Output) Linewatch(params string[] arguments) => AgentProcess.Run(arguments);

    private static JsonElement Versions(string config)
    {
        var (code, output) = Linewatch("profile", "list", "--config", config, "--camera", "line", "--json");
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output).RootElement;
    }

    private static JsonElement Get(HttpClient http, string path) => http.GetFromJsonAsync<JsonElement>(path).Result;

    /// <summary>(status, body) of a JSON POST.</summary>
    private static (int Status, string Body) Post(HttpClient http, string path, object body)
    {
        using var response = http.PostAsJsonAsync(path, body).Result;
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().Result);
    }

    private static JsonElement ScoringProfile(HttpClient http) => Get(http, "/api/state").GetProperty("cameras")[0].GetProperty("profile");

    private static double LocalThreshold(JsonElement versions, int id) =>
        versions.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("id").GetInt32() == id).GetProperty("calibration").GetProperty("local_threshold").GetDouble();

    [Fact]
    public void Learning_twice_makes_versions_a_rollback_from_the_cli_or_mqtt_switches_the_running_agent_and_a_false_alarm_is_undone()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var (config, _) = line.AgentConfig(_dir.Path, broker.Port, port, alerts: LearnedLine.FastAlerts);

        // The copied-in profile has no version yet: the first learn records it as version 1, then itself as 2; the second learn (a minute of the footage) is 3.
        var learned = Linewatch("learn", "--config", config, "--camera", "line", "--from", line.NormalVideo);
        Assert.True(learned.ExitCode == 0, learned.Output);
        Assert.Contains("as profile version 2", learned.Output);
        learned = Linewatch("learn", "--config", config, "--camera", "line", "--from", line.NormalVideo, "--minutes", "1");
        Assert.True(learned.ExitCode == 0, learned.Output);
        var versions = Versions(config);
        Assert.Equal([1, 2, 3], versions.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("id").GetInt32()));
        Assert.Equal(["imported", "cli_learn", "cli_learn"], versions.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("source").GetString()));
        Assert.Equal(3, versions.GetProperty("current").GetInt32());
        Assert.NotEqual(LocalThreshold(versions, 2), LocalThreshold(versions, 3));
        var (listCode, table) = Linewatch("profile", "list", "--config", config, "--camera", "line");
        Assert.Equal(0, listCode);
        report.WriteLine(table);
        var (compareCode, comparison) = Linewatch("profile", "compare", "--config", config, "--camera", "line", "2", "3");
        Assert.Equal(0, compareCode);
        Assert.Contains("~ local_threshold", comparison);

        // Bad input is named, and changes nothing.
        var (badCode, bad) = Linewatch("profile", "rollback", "--config", config, "--camera", "line", "--to", "99");
        Assert.Equal((2, true), (badCode, bad.Contains("camera line has no profile version 99")));
        (badCode, bad) = Linewatch("profile", "list", "--config", config, "--camera", "nope");
        Assert.Equal((2, true), (badCode, bad.Contains("no camera named 'nope'")));

        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("X-LineWatch", "1");
        Eventually.True(() => ScoringProfile(http).ValueKind == JsonValueKind.Object && ScoringProfile(http).GetProperty("version").GetInt32() == 3,
            TimeSpan.FromSeconds(30), "the agent scoring with version 3");
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/profile/state", 1)?.Contains("\"current\":3") == true, TimeSpan.FromSeconds(15), "the retained profile state");

        // A rollback from the shell: the running agent switches by itself, and scores with version 2's thresholds.
        var rollback = Linewatch("profile", "rollback", "--config", config, "--camera", "line", "--to", "2");
        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Eventually.True(() => ScoringProfile(http).GetProperty("version").GetInt32() == 4, TimeSpan.FromSeconds(15), "the agent scoring with version 4 (= 2)");
        Assert.Equal(LocalThreshold(versions, 2), ScoringProfile(http).GetProperty("local_threshold").GetDouble(), 9);
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/profile/state", 1)?.Contains("\"current\":4") == true, TimeSpan.FromSeconds(15), "the profile state after the CLI rollback");

        // The same over MQTT.
        broker.Publish($"{Prefix}/line/profile/set", """{"action":"rollback","version":3}""");
        Eventually.True(() => ScoringProfile(http).GetProperty("version").GetInt32() == 5, TimeSpan.FromSeconds(15), "the agent scoring with version 5 (= 3)");
        Assert.Equal(LocalThreshold(versions, 3), ScoringProfile(http).GetProperty("local_threshold").GetDouble(), 9);
        var state = JsonDocument.Parse(broker.ReadOne($"{Prefix}/line/profile/state")!).RootElement;
        Assert.Equal((5, "mqtt", 3), (state.GetProperty("current").GetInt32(), state.GetProperty("version").GetProperty("by").GetString(),
            state.GetProperty("version").GetProperty("restored_from").GetInt32()));

        // A false alarm makes a version; its undo brings version 5's profile back and the alert is unreviewed again.
        string? alertId = null;
        Eventually.True(() => (alertId = Get(http, "/api/alerts").EnumerateArray().Select(a => a.GetProperty("id").GetString()).FirstOrDefault()) is not null,
            TimeSpan.FromSeconds(90), "an alert");
        // The alert's windows are kept while it is active or among the last few; feedback right away finds them.
        var (feedbackStatus, feedbackText) = Post(http, $"/api/alerts/{alertId}/feedback", new { verdict = "false_alarm" });
        Assert.True(feedbackStatus == 200, feedbackText);
        Assert.Contains("profile version 6", feedbackText);
        Eventually.True(() => ScoringProfile(http).GetProperty("version").GetInt32() == 6, TimeSpan.FromSeconds(15), "the agent scoring with the feedback's version");
        Assert.True(ScoringProfile(http).GetProperty("feedback_windows").GetInt64() > 0);

        var (undoStatus, undoText) = Post(http, "/api/cameras/line/profile", new { action = "undo_feedback", alert_id = alertId });
        Assert.True(undoStatus == 200, undoText);
        Eventually.True(() => ScoringProfile(http).GetProperty("version").GetInt32() == 7, TimeSpan.FromSeconds(15), "the agent scoring with the undo's version");
        Assert.Equal(0, ScoringProfile(http).GetProperty("feedback_windows").GetInt64());
        var listed = Get(http, "/api/cameras/line/profile");
        var newest = listed.GetProperty("versions")[0];
        Assert.Equal((7, "rollback", 5, alertId), (newest.GetProperty("id").GetInt32(), newest.GetProperty("source").GetString(),
            newest.GetProperty("restored_from").GetInt32(), newest.GetProperty("alert_id").GetString()));
        var alert = Get(http, "/api/alerts").EnumerateArray().Single(a => a.GetProperty("id").GetString() == alertId);
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("verdict").ValueKind);
        // Undone once: a second undo is refused, saying why.
        var (againStatus, againText) = Post(http, "/api/cameras/line/profile", new { action = "undo_feedback", alert_id = alertId });
        Assert.Equal(409, againStatus);
        Assert.Contains("made version 6, but version 7 is current now", againText);
    }

    public void Dispose() => _dir.Dispose();
}
