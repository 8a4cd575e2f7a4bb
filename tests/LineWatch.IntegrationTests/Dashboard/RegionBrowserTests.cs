using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using Microsoft.Playwright;

namespace LineWatch.IntegrationTests.Dashboard;

/// <summary>
/// Regions drawn on the camera view: the agent process on the generated line, a real Mosquitto and Debian's chromium.
/// The operator draws a polygon over the left half of the picture, saves, and the running agent leaves those patches
/// out (the heatmap reads 0 there) without a restart; the file holds the region, and a bad one is refused by name.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class RegionBrowserTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task An_operator_draws_an_excluded_region_saves_it_and_the_running_agent_leaves_its_patches_out()
    {
        using var broker = new MosquittoBroker();
        var port = MosquittoBroker.FreePort();
        var (config, _) = line.AgentConfig(_dir.Path, broker.Port, port);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        var url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        await using var browser = await Browser.Launch();
        var page = await browser.Open(url + "/#/camera/line");
        await page.WaitForFunctionAsync("() => document.querySelector('#camera .picture img')?.naturalWidth > 0", null, new() { Timeout = 15_000 });

        // Corners over the left half: on the model's 4 x 4 grid, columns 0 and 1 are more than half inside.
        await page.Locator("#regions-button").ClickAsync();
        await Assertions.Expect(page.Locator("#regions-panel")).ToBeVisibleAsync();
        var layer = page.Locator("#region-layer");
        var box = (await layer.BoundingBoxAsync())!;
        foreach (var (x, y) in new[] { (0.02, 0.02), (0.5, 0.02), (0.5, 0.98), (0.02, 0.98) })
        {
            await page.Mouse.ClickAsync((float)(box.X + x * box.Width), (float)(box.Y + y * box.Height));
        }
        await Assertions.Expect(layer.Locator("circle.corner")).ToHaveCountAsync(4);
        await page.Locator("#region-name").FillAsync("robot arm");
        await page.Locator("#region-mode").SelectOptionAsync("exclude");
        await page.Locator("#region-add").ClickAsync();
        await page.Locator("#regions-save").ClickAsync();

        await Assertions.Expect(page.Locator("#camera-message")).ToContainTextAsync("Regions saved and applied: 1 region(s), 8 of 16 patches left out");
        await Assertions.Expect(layer.Locator("polygon[data-region='robot arm']")).ToHaveCountAsync(1);
        await Assertions.Expect(layer.Locator("rect.masked")).ToHaveCountAsync(8);
        Assert.True(agent.WaitForOutput("Configuration change applied: camera line regions (1 region(s), 8 of 16 patches scored)", TimeSpan.FromSeconds(5)), agent.Output);

        // Applied to the running agent: windows scored after the save show nothing in the left half of the heatmap.
        var before = await AgentState.WindowsScored(http, "line");
        Eventually.True(() => AgentState.WindowsScored(http, "line").Result >= before + 3, TimeSpan.FromSeconds(20), "three more scored windows");
        var state = await http.GetFromJsonAsync<JsonElement>("/api/state");
        var map = state.GetProperty("cameras")[0].GetProperty("map").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(16, map.Length);
        foreach (var p in new[] { 0, 1, 4, 5, 8, 9, 12, 13 }) Assert.Equal(0, map[p]);
        Assert.Contains(map.Where((_, p) => p % 4 >= 2), v => v > 0);

        // Saved into the file (still a valid configuration), so a restart keeps it; the page shows it after a reload.
        var saved = AgentConfiguration.Load(config).Options.Cameras[0].Regions;
        Assert.Equal("robot arm", Assert.Single(saved).Name);
        // Where the second click landed, to within a pixel or two of the layer.
        Assert.Equal(0.5, saved[0].Points[1][0], 0.01);
        Assert.Equal(0.02, saved[0].Points[1][1], 0.01);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#region-layer polygon[data-region='robot arm']")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#region-layer rect.masked")).ToHaveCountAsync(8);
        await page.Locator("#regions-button").ClickAsync();
        await Assertions.Expect(page.Locator("#region-list li[data-region='robot arm']")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#chart polyline') !== null", null, new() { Timeout = 10_000 });
        await page.ScreenshotAsync(new() { Path = Browser.Artifact("dashboard-regions.png") });
        await page.Locator("#regions-cancel").ClickAsync();
        await Assertions.Expect(page.Locator("#regions-panel")).ToBeHiddenAsync();

        // A polygon of two corners is refused by key, and the file keeps the saved region.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cameras/line/regions")
        {
            Content = new StringContent("""{"regions":[{"name":"cable","mode":"exclude","points":[[0.1,0.1],[0.2,0.2]]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-LineWatch", "1");
        var refused = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Cameras:0:Regions:0:Points", await refused.Content.ReadAsStringAsync());
        Assert.Equal("robot arm", Assert.Single(AgentConfiguration.Load(config).Options.Cameras[0].Regions).Name);

        await page.GotoAsync("about:blank");
        Assert.Empty(browser.Problems);
    }

    public void Dispose() => _dir.Dispose();
}
