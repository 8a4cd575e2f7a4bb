using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LineWatch.IntegrationTests.Support;
using Microsoft.Playwright;
using static LineWatch.IntegrationTests.Support.WebhookReceiver;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// Webhooks of the running agent process (real alerts from a learned camera) against a real HTTP server on loopback:
/// the receiver answers 500, then hangs, the agent is killed with kill -9 and restarted while the receiver is down, then
/// it recovers. Every event the agent logged arrives, signed; the dashboard shows the webhook's health; the URL's token
/// and the signing secret appear nowhere (log, /api/state, the page).
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed partial class AgentWebhookTests(LearnedLine line) : IDisposable
{
    private const string Secret = "agent-webhook-secret-2026";
    private const string Token = "tok-9f8e7d6c5b4a";
    private readonly TempDirectory _dir = new();

    [GeneratedRegex(@"Alert ([0-9a-f]{32}) on line(:| ended)")]
    private static partial Regex LoggedAlert();

    private static HashSet<(string Id, string Type)> Logged(string output) =>
        [.. LoggedAlert().Matches(output).Select(m => (m.Groups[1].Value, m.Groups[2].Value == ":" ? "start" : "end"))];

    private static HashSet<(string Id, string Type)> Received(WebhookReceiver receiver) =>
        [.. receiver.Accepted.Select(r => JsonDocument.Parse(r.Body).RootElement).Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("type").GetString()!))];

    private static string Describe(Request r)
    {
        var e = JsonDocument.Parse(r.Body).RootElement;
        return $"{r.Delivery} {r.Answer} {e.GetProperty("id").GetString()}/{e.GetProperty("type").GetString()}";
    }

    [Fact]
    public async Task Every_logged_event_reaches_a_webhook_that_failed_hung_and_refused_across_a_kill_9_and_the_dashboard_shows_its_health()
    {
        using var broker = new MosquittoBroker();
        using var receiver = new WebhookReceiver(Behaviour.Fail);
        var port = MosquittoBroker.FreePort();
        var (config, _) = line.AgentConfig(_dir.Path, broker.Port, port, alerts: LearnedLine.FastAlerts, sections:
            $$"""
            "Webhooks": [ { "Name": "mes", "Url": "{{receiver.Url}}?token={{Token}}", "Secret": "{{Secret}}", "TimeoutSeconds": 1, "MaxBackoffSeconds": 2 } ],
            """);
        var output = "";
        var agent = AgentProcess.Start("run", "--config", config);
        try
        {
            Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
            Eventually.True(() => Logged(agent.Output).Count >= 2, TimeSpan.FromSeconds(90), "two events while the receiver answers 500");

            // The dashboard's health view: the webhook failing, its URL without the token.
            await using (var browser = await Browser.Launch())
            {
                var page = await browser.Open($"http://127.0.0.1:{port}/#/health");
                var row = page.Locator("#health-webhooks tr[data-webhook='mes']");
                await Assertions.Expect(row.Locator("td.last-error")).ToHaveTextAsync("HTTP 500 Internal Server Error", new() { Timeout = 10_000 });
                await Assertions.Expect(row).ToContainTextAsync($"{receiver.Url}?token=***");
                await Assertions.Expect(row.Locator("td.last-success")).ToHaveTextAsync("never");
                Assert.True(int.Parse(await row.Locator("td.pending").TextContentAsync() ?? "0") >= 2);
                Assert.DoesNotContain(Token, await page.ContentAsync());
                await page.ScreenshotAsync(new() { Path = Browser.Artifact("dashboard-webhooks.png") });
                Assert.Empty(browser.Problems);
            }

            // No answer: attempts time out; then the agent is killed and the receiver goes down.
            receiver.Set(Behaviour.Hang);
            var before = Logged(agent.Output).Count;
            Eventually.True(() => Logged(agent.Output).Count > before, TimeSpan.FromSeconds(60), "an event while the receiver hangs");
            // The log has only the first failure in a row and every tenth; the health the dashboard reads has the latest.
            using (var health = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
            {
                Eventually.True(() => health.GetStringAsync("/api/state").Result.Contains("no answer within 1 s"), TimeSpan.FromSeconds(20),
                    "/api/state to report the attempt that timed out");
            }
            receiver.Set(Behaviour.Down);
            agent.Signal(9); // logged means committed
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(10)));
            output += agent.Output + "\n";
            agent.Dispose();

            agent = AgentProcess.Start("run", "--config", config);
            Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
            before = Logged(agent.Output).Count;
            Eventually.True(() => Logged(agent.Output).Count > before, TimeSpan.FromSeconds(60), "an event while the receiver is down");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Eventually.True(() => http.GetStringAsync("/api/state").Result.Contains("refused", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(20),
                "/api/state to report the refused connection");

            receiver.Set(Behaviour.Accept);
            Eventually.True(() => Received(receiver).IsSupersetOf(Logged(output + agent.Output)), TimeSpan.FromSeconds(60),
                () => $"every logged event at the webhook; missing: {string.Join(", ", Logged(output + agent.Output).Except(Received(receiver)))}\n" +
                    $"requests (delivery, answer, event): {string.Join("; ", receiver.Requests.Select(Describe))}\n" +
                    $"agent log (webhook and alert lines):\n{string.Join("\n", (output + agent.Output).Split('\n').Where(l => l.Contains("Webhook") || l.Contains("Alert ")))}");
            var state = await http.GetFromJsonAsync<JsonElement>("/api/state");
            var webhook = state.GetProperty("webhooks").EnumerateArray().Single();
            Assert.Equal("mes", webhook.GetProperty("name").GetString());
            Assert.Equal($"{receiver.Url}?token=***", webhook.GetProperty("url").GetString());
            Assert.True(webhook.GetProperty("signed").GetBoolean());
            Assert.Equal(JsonValueKind.String, webhook.GetProperty("last_success").ValueKind);
            Assert.DoesNotContain(Token, state.GetRawText());
            Assert.DoesNotContain(Secret, state.GetRawText());
        }
        finally
        {
            agent.Signal(AgentProcess.SigTerm);
            agent.WaitForExit(TimeSpan.FromSeconds(20));
            output += agent.Output;
            agent.Dispose();
        }

        Assert.True(Logged(output).Count >= 4, $"only {Logged(output).Count} events logged");
        Assert.All(receiver.Accepted, r => Assert.True(SignatureVerifies(r, Secret), $"bad signature on {r.Text}"));
        Assert.Contains(receiver.Requests, r => r.Answer == Behaviour.Fail);
        Assert.Contains(receiver.Requests, r => r.Answer == Behaviour.Hang);
        Assert.DoesNotContain(Token, output);
        Assert.DoesNotContain(Secret, output);
        Assert.Contains("Webhook mes (http://127.0.0.1", output);
    }

    public void Dispose() => _dir.Dispose();
}
