using System.Net.Http.Json;
using System.Text.Json;
using LineWatch.IntegrationTests.Support;
using Microsoft.Playwright;

namespace LineWatch.IntegrationTests.Dashboard;

/// <summary>
/// The camera view's profile versions panel in Chromium, against the agent process: a false alarm makes a version,
/// *Undo false alarm* brings the one before it back, and *Roll back to this* makes an older one current, each
/// switching the running agent (its /api/state says which version it scores with).
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class ProfileVersionsBrowserTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task The_panel_lists_versions_undoes_a_false_alarm_and_rolls_back()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var (config, _) = line.AgentConfig(_dir.Path, broker.Port, port, alerts: LearnedLine.FastAlerts);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        var url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        async Task<int?> Scoring()
        {
            var profile = (await http.GetFromJsonAsync<JsonElement>("/api/state")).GetProperty("cameras")[0].GetProperty("profile");
            return profile.ValueKind == JsonValueKind.Object && profile.GetProperty("version").ValueKind == JsonValueKind.Number ? profile.GetProperty("version").GetInt32() : null;
        }
        await using var browser = await Browser.Launch();
        var page = await browser.Open(url + "/#/camera/line");

        // The copied-in profile, from before versions, is version 1.
        var versions = page.Locator("#profile-versions tbody tr");
        await Assertions.Expect(page.Locator("#profile-versions tr[data-version='1'].current")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(versions).ToHaveCountAsync(1);

        // A false alarm on a fresh alert (its windows are kept) makes version 2, shown as current.
        var row = page.Locator("#camera-alerts tr.alert-row:has(button.false-alarm)").First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var alertId = await row.GetAttributeAsync("data-alert");
        var alertRow = page.Locator($"#camera-alerts tr[data-alert='{alertId}']");
        await alertRow.Locator("button.false-alarm").ClickAsync();
        await Assertions.Expect(page.Locator("#profile-versions tr[data-version='2'].current")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#profile-versions tr[data-version='2']")).ToContainTextAsync("feedback");

        // Undo: version 3 brings version 1 back; the alert is unreviewed again.
        await alertRow.Locator("button.undo-false-alarm").ClickAsync();
        await Assertions.Expect(page.Locator("#profile-versions tr[data-version='3'].current")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#camera-message")).ToContainTextAsync("False alarm undone");
        await Assertions.Expect(alertRow.Locator("td.status")).Not.ToHaveTextAsync("false alarm", new() { Timeout = 5_000 });
        Eventually.True(() => Scoring().Result == 3, TimeSpan.FromSeconds(15), "the agent scoring with version 3");

        // Version 2 (the feedback's) against the current one: the windows differ, the local threshold is the same.
        await page.Locator("#profile-versions tr[data-version='2'] button.compare").ClickAsync();
        await Assertions.Expect(page.Locator("#profile-compare-title")).ToHaveTextAsync("Version 2 against version 3 (current)");
        await Assertions.Expect(page.Locator("#profile-compare tr[data-field='windows'].differs")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#profile-compare tr[data-field='local_threshold']")).Not.ToHaveClassAsync("differs");

        // Roll back to the feedback's version from its row.
        await page.Locator("#profile-versions tr[data-version='2'] button.rollback").ClickAsync();
        await Assertions.Expect(page.Locator("#profile-versions tr[data-version='4'].current")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(versions).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#profile-compare")).ToBeHiddenAsync(); // it compared with a version no longer current
        Eventually.True(() => Scoring().Result == 4, TimeSpan.FromSeconds(15), "the agent scoring with version 4");
        await page.Locator("#profile-versions").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Browser.Artifact("dashboard-profile-versions.png") });
        Assert.Empty(browser.Problems);
    }

    public void Dispose() => _dir.Dispose();
}
