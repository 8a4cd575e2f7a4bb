using System.Net.Http.Json;
using System.Text.Json;
using LineWatch.IntegrationTests.Support;
using LineWatch.Scoring;
using Microsoft.Playwright;

namespace LineWatch.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard end to end: the agent process on the generated production line (a hand in the work area every
/// 28 s), a real Mosquitto, and Debian's chromium through Playwright, as an operator would use it.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class DashboardBrowserTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Operators_see_the_live_line_get_the_alert_with_its_snapshot_and_can_acknowledge_and_mark_it_a_false_alarm()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var (config, dataDir) = line.AgentConfig(_dir.Path, broker.Port, port);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        var url = $"http://127.0.0.1:{port}";
        await using var browser = await Browser.Launch();
        var page = await browser.Open(url + "/");

        // The overview: the camera's tile, and its picture moves (the line runs).
        var tile = page.Locator("a.tile[data-camera='line']");
        await Assertions.Expect(tile).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.WaitForFunctionAsync("() => document.querySelector(\"a.tile[data-camera='line'] img\")?.naturalWidth > 0", null, new() { Timeout = 15_000 });
        var image = tile.Locator("img");
        var first = await image.ScreenshotAsync();
        await page.WaitForTimeoutAsync(1500);
        var second = await image.ScreenshotAsync();
        Assert.NotEqual(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(first)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(second)));

        // The injected fault: once the agent raises the alert, the list shows it with its snapshot within a few seconds.
        Assert.True(agent.WaitForOutput("Alert ", TimeSpan.FromSeconds(60)), "no alert raised: " + agent.Output);
        var row = page.Locator("#recent-alerts tr.alert-row").First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await page.WaitForFunctionAsync("() => document.querySelector('#recent-alerts tr.alert-row img.thumb')?.naturalWidth > 0", null, new() { Timeout = 5_000 });
        var alertId = await row.GetAttributeAsync("data-alert");
        await page.ScreenshotAsync(new() { Path = Browser.Artifact("dashboard-overview.png") });

        // The camera view: chart with threshold and the alert; acknowledge, then false alarm.
        await tile.ClickAsync();
        await Assertions.Expect(page.Locator("#camera-name")).ToHaveTextAsync("line");
        await page.WaitForFunctionAsync("() => document.querySelector('#chart polyline') !== null", null, new() { Timeout = 10_000 });
        var cameraRow = page.Locator($"#camera-alerts tr[data-alert='{alertId}']");
        await Assertions.Expect(cameraRow).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Browser.Artifact("dashboard-camera.png") });

        await cameraRow.Locator("button.ack").ClickAsync();
        await Assertions.Expect(cameraRow.Locator("button.ack")).ToHaveCountAsync(0, new() { Timeout = 5_000 });
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var listed = await http.GetFromJsonAsync<JsonElement>("/api/alerts");
        Assert.Contains(listed.EnumerateArray(), a => a.GetProperty("id").GetString() == alertId && a.GetProperty("acknowledged").ValueKind == JsonValueKind.String);

        var profileBefore = File.GetLastWriteTimeUtc(ProfileStore.PathFor(dataDir, "line"));
        await cameraRow.Locator("button.false-alarm").ClickAsync();
        await Assertions.Expect(cameraRow.Locator("td.status")).ToHaveTextAsync("false alarm", new() { Timeout = 5_000 });
        await Assertions.Expect(page.Locator("#camera-message")).ToContainTextAsync("false alarm");
        Assert.True(agent.WaitForOutput($"Alert {alertId} marked a false alarm", TimeSpan.FromSeconds(5)), agent.Output);
        Assert.True(File.GetLastWriteTimeUtc(ProfileStore.PathFor(dataDir, "line")) > profileBefore, "the profile was not updated");

        // The health view renders the pipeline's numbers.
        await page.GotoAsync(url + "/#/health");
        await Assertions.Expect(page.Locator("#health-cameras tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#health-cards")).ToContainTextAsync("CPU");

        // The history is in the database: after a restart the alert is still listed, with its verdict, and the API filters on it.
        // The page leaves first: its polls would fail while the agent is down (a planned outage, not a problem to report).
        await page.GotoAsync("about:blank");
        agent.Signal(AgentProcess.SigTerm);
        Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(30)), "the agent did not stop");
        using var restarted = AgentProcess.Start("run", "--config", config);
        Assert.True(restarted.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), restarted.Output);
        await page.GotoAsync(url + "/");
        var kept = page.Locator($"#recent-alerts tr[data-alert='{alertId}']");
        await Assertions.Expect(kept.Locator("td.status")).ToHaveTextAsync("false alarm", new() { Timeout = 10_000 });
        await page.Locator("#older-alerts").ClickAsync();
        await Assertions.Expect(kept).ToBeVisibleAsync();
        var falseAlarms = await http.GetFromJsonAsync<JsonElement>("/api/alerts?verdict=false_alarm&camera=line");
        Assert.Contains(falseAlarms.EnumerateArray(), a => a.GetProperty("id").GetString() == alertId);
        var refused = await http.GetAsync("/api/alerts?verdict=maybe");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("verdict", await refused.Content.ReadAsStringAsync());

        Assert.Empty(browser.Problems);
    }

    [Fact]
    public async Task The_overview_gives_a_camera_added_to_the_file_its_tile_and_takes_a_removed_ones_away()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var (config, _) = line.AgentConfig(_dir.Path, broker.Port, port);
        var original = File.ReadAllText(config);
        const string onlyLine = "\"Loop\": true } ],";
        Assert.Contains(onlyLine, original);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        await using var browser = await Browser.Launch();
        var page = await browser.Open($"http://127.0.0.1:{port}/");
        await Assertions.Expect(page.Locator("a.tile[data-camera='line']")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        File.WriteAllText(config, original.Replace(onlyLine, $"\"Loop\": true }}, {{ \"Name\": \"paint\", \"Source\": \"{line.Faulty.VideoPath}\", \"Loop\": true }} ],"));
        var paint = page.Locator("a.tile[data-camera='paint']");
        await Assertions.Expect(paint).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await page.WaitForFunctionAsync("() => document.querySelector(\"a.tile[data-camera='paint'] img\")?.naturalWidth > 0", null, new() { Timeout = 15_000 });

        File.WriteAllText(config, original);
        await Assertions.Expect(paint).ToHaveCountAsync(0, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("a.tile")).ToHaveCountAsync(1);
        // A picture asked for in the second between the removal and the next state may find the camera gone (Chromium also
        // logs each such 404 on the console, without its address); nothing else may fail.
        var gone = browser.Problems.Count(p => p.StartsWith("HTTP 404: ", StringComparison.Ordinal) && p.Contains("/api/cameras/paint/frame.jpg"));
        var logged = browser.Problems.Count(p => p.StartsWith("console: Failed to load resource: the server responded with a status of 404", StringComparison.Ordinal));
        Assert.True(browser.Problems.Count == gone + logged && logged <= gone, string.Join("; ", browser.Problems));
    }

    public void Dispose() => _dir.Dispose();
}
