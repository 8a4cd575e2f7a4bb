using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LineWatch.IntegrationTests.Support;
using LineWatch.Simulation;
using Microsoft.Playwright;

namespace LineWatch.IntegrationTests.Record;

/// <summary>
/// Event clips end to end: the agent process on the generated production line (a hand in the work area at 20-24 s of
/// each 25 s loop), a real Mosquitto, the dashboard over HTTP and in Debian's chromium through Playwright, and ffprobe
/// as the judge of the MP4.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class EventClipTests(LearnedLine line) : IDisposable
{
    private const double PreRoll = 5, PostRoll = 2;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task An_alert_gets_an_h264_clip_from_before_its_start_linked_by_its_end_event_and_the_api_served_with_ranges_and_played_by_the_dashboard()
    {
        using var broker = new MosquittoBroker();
        using var events = new SubscriptionRecorder(broker, "it/it-agent/line/events");
        var port = MosquittoBroker.FreePort();
        var (config, dataDir) = line.AgentConfig(_dir.Path, broker.Port, port,
            $$"""
            "Clips": { "Enabled": true, "PreRollSeconds": {{PreRoll}}, "PostRollSeconds": {{PostRoll}}, "MinFreeDiskMegabytes": 0 },
            """);
        using var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);

        // The end event links the clip.
        JsonElement end = default;
        Eventually.True(() => events.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement).FirstOrDefault(e => e.GetProperty("type").GetString() == "end")
            is { ValueKind: JsonValueKind.Object } found && (end = found).ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(90), "an alert's end event");
        var id = end.GetProperty("id").GetString()!;
        Assert.Equal($"/api/alerts/{id}/clip.mp4", end.GetProperty("clip").GetString());
        var start = events.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement).Single(e => e.GetProperty("id").GetString() == id && e.GetProperty("type").GetString() == "start");
        Assert.False(start.TryGetProperty("clip", out _)); // only the end links it: a clip is written once its alert is over
        var alertSeconds = (end.GetProperty("end_time").GetDateTimeOffset() - end.GetProperty("start_time").GetDateTimeOffset()).TotalSeconds;

        // /api/alerts links it once it is written (the post-roll after the end).
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        string? link = null;
        Eventually.True(() =>
        {
            var alerts = JsonDocument.Parse(http.GetStringAsync("/api/alerts").GetAwaiter().GetResult()).RootElement;
            var alert = alerts.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
            link = alert.GetProperty("clip").ValueKind == JsonValueKind.String ? alert.GetProperty("clip").GetString() : null;
            return link is not null;
        }, TimeSpan.FromSeconds(30), "the clip's link in /api/alerts");
        Assert.Equal(end.GetProperty("clip").GetString(), link);

        // Served whole, and in ranges for seeking.
        using var whole = await http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
        Assert.Contains("bytes", whole.Headers.AcceptRanges);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, link);
        request.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes 1000-1999/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());
        Assert.Equal(bytes[1000..2000], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/alerts/{new string('0', 32)}/clip.mp4")).StatusCode);

        // The file: H.264 at the camera's resolution, from the pre-roll before the alert to the post-roll after it.
        var path = Path.Combine(dataDir, "clips", "line", id + ".mp4");
        Assert.Equal(bytes, File.ReadAllBytes(path));
        var probe = VideoProbe.Of(path);
        Assert.Equal("h264", probe.Codec);
        Assert.Equal((ProductionLineScene.Width, ProductionLineScene.Height), (probe.Width, probe.Height));
        var expected = PreRoll + alertSeconds + PostRoll;
        Assert.InRange(probe.Seconds, expected - 0.3, expected + 0.5);
        Assert.InRange(probe.Frames, (int)((expected - 0.3) * ProductionLineScene.Fps), (int)((expected + 0.5) * ProductionLineScene.Fps));
        Assert.Matches($@"Clip of alert {id} on line: [0-9.]+ s \({PreRoll:0.0} s before the alert", agent.Output);
        // Named by camera and alert only: nothing of the source's location (for a network camera, its URL and password).
        var sourceFolder = Path.GetFileName(Path.GetDirectoryName(line.Faulty.VideoPath)!);
        Assert.All(Directory.EnumerateFileSystemEntries(Path.Combine(dataDir, "clips"), "*", SearchOption.AllDirectories),
            entry => Assert.DoesNotContain(sourceFolder, entry));

        // The dashboard plays it in the alert's row.
        await using var browser = await Browser.Launch();
        var page = await browser.Open($"http://127.0.0.1:{port}/");
        var row = page.Locator($"#recent-alerts tr[data-alert='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await row.Locator("button.play-clip").ClickAsync();
        await Assertions.Expect(page.Locator("#clip-dialog")).ToBeVisibleAsync();
        Assert.Equal("probably", await page.EvaluateAsync<string>("() => document.createElement('video').canPlayType('video/mp4; codecs=\"avc1.64001f\"')"));
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#clip-video'); return v.readyState >= 2 && v.currentTime > 1; }", null,
            new() { Timeout = 15_000 });
        var played = await page.EvaluateAsync<JsonElement>("() => { const v = document.querySelector('#clip-video'); return { w: v.videoWidth, h: v.videoHeight, d: v.duration, e: v.error?.code ?? 0 }; }");
        Assert.Equal(ProductionLineScene.Width, played.GetProperty("w").GetInt32());
        Assert.Equal(ProductionLineScene.Height, played.GetProperty("h").GetInt32());
        Assert.InRange(played.GetProperty("d").GetDouble(), expected - 0.3, expected + 0.5);
        Assert.Equal(0, played.GetProperty("e").GetInt32());
        // Seeking: the player asks for ranges and lands where it was sent.
        await page.EvaluateAsync("() => { const v = document.querySelector('#clip-video'); v.pause(); v.currentTime = 2.0; }");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#clip-video'); return !v.seeking && Math.abs(v.currentTime - 2.0) < 0.1; }", null,
            new() { Timeout = 10_000 });
        await page.ScreenshotAsync(new() { Path = Browser.Artifact("dashboard-clip.png") });
        Assert.Empty(browser.Problems);
    }

    public void Dispose() => _dir.Dispose();
}
