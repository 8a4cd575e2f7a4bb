using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (whose own browser download cannot work offline). Collects
/// everything a page complains about: console errors, uncaught exceptions, failed requests.
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/lib/chromium/chromium";
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public ConcurrentQueue<string> Problems { get; } = new();

    public static async Task<Browser> Launch()
    {
        var browser = new Browser { _playwright = await Playwright.CreateAsync() };
        browser._browser = await browser._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--disable-gpu", "--no-first-run"],
        });
        return browser;
    }

    public async Task<IPage> Open(string url, int width = 1400, int height = 900)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        page.Console += (_, message) => { if (message.Type == "error") Problems.Enqueue($"console: {message.Text}"); };
        page.PageError += (_, error) => Problems.Enqueue($"page error: {error}");
        page.RequestFailed += (_, request) => { if (!request.Url.Contains("/api/events")) Problems.Enqueue($"request failed: {request.Url} {request.Failure}"); };
        page.Response += (_, response) => { if (response.Status >= 400) Problems.Enqueue($"HTTP {response.Status}: {response.Url}"); };
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>Where screenshots go: $LINEWATCH_TEST_ARTIFACTS, else TestResults/screenshots in the repository.</summary>
    public static string Artifact(string name)
    {
        var directory = Environment.GetEnvironmentVariable("LINEWATCH_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured : Path.Combine(TestPaths.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
