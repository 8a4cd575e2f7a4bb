using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Dashboard;

/// <summary>The dashboard's front door against the running agent: binding rules, credentials, CSRF, hostile paths and sizes, /metrics.</summary>
[Collection(LearnedLineCollection.Name)]
public sealed class DashboardSecurityTests(LearnedLine line) : IDisposable
{
    private const string Password = "correct horse battery";
    private const string Token = "a-long-random-dashboard-token-0123456789";
    private readonly TempDirectory _dir = new();

    private string WriteConfig(string urls, string auth)
    {
        var path = _dir.File($"linewatch-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "AgentId": "it-agent", "DataDir": "{{line.NewDataDir(Path.Combine(_dir.Path, Guid.NewGuid().ToString("N")))}}",
              "Cameras": [ { "Name": "line", "Source": "{{line.Faulty.VideoPath}}", "Loop": true } ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "external", "Host": "127.0.0.1", "Port": {{MosquittoBroker.FreePort()}} },
              "Dashboard": { "Urls": "{{urls}}", "Auth": {{auth}} }
            }
            """);
        return path;
    }

    private (AgentProcess Agent, HttpClient Http) Start(string auth)
    {
        var port = MosquittoBroker.FreePort();
        var agent = AgentProcess.Start("run", "--config", WriteConfig($"http://127.0.0.1:{port}", auth));
        Assert.True(agent.WaitForOutput("Dashboard on", TimeSpan.FromSeconds(30)), agent.Output);
        return (agent, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
    }

    private static AuthenticationHeaderValue Basic(string user, string password) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    [Fact]
    public void A_non_loopback_address_without_authentication_is_refused_at_start()
    {
        var config = WriteConfig($"http://0.0.0.0:{MosquittoBroker.FreePort()}", """{ "Mode": "none" }""");
        var (exitCode, output) = AgentProcess.Run("run", "--config", config);
        Assert.Equal(2, exitCode);
        Assert.Contains("Dashboard:Auth:Mode", output);
        Assert.Contains("non-loopback", output);
    }

    // Uri reads the host of http://0.0.0.0@127.0.0.1:PORT as 127.0.0.1 (the rest is a user name); Kestrel does not
    // know user parts, and binds every interface for a host that is neither an address nor localhost.
    [Fact]
    public void A_URL_with_a_user_part_is_refused_at_start_rather_than_judged_loopback()
    {
        var port = MosquittoBroker.FreePort();
        using var agent = AgentProcess.Start("run", "--config", WriteConfig($"http://0.0.0.0@127.0.0.1:{port}", """{ "Mode": "none" }"""));

        var refused = agent.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.True(refused, $"the agent runs with no authentication; reachable from {ReachableFromOutside(port) ?? "no other address tried"}\n{agent.Output}");
        Assert.Equal(2, agent.ExitCode);
        Assert.Contains("Dashboard:Urls", agent.Output);
        Assert.Contains("user part", agent.Output);
    }

    /// <summary>A non-loopback address of this machine on which <paramref name="port"/> accepts a connection, if any.</summary>
    private static string? ReachableFromOutside(int port)
    {
        foreach (var address in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                     .SelectMany(nic => nic.GetIPProperties().UnicastAddresses).Select(a => a.Address)
                     .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)))
        {
            using var client = new TcpClient();
            try
            {
                client.Connect(address, port);
                return address.ToString();
            }
            catch (SocketException)
            {
            }
        }
        return null;
    }

    [Fact]
    public async Task With_authentication_off_only_loopback_host_names_are_served_against_DNS_rebinding()
    {
        var (agent, http) = Start("""{ "Mode": "none" }""");
        using var _ = agent;
        using var __ = http;
        async Task<HttpResponseMessage> Get(string host, string path = "/api/state")
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = host;
            return await http.SendAsync(request);
        }

        var port = http.BaseAddress!.Port;
        // A page on attacker.example whose name now resolves to 127.0.0.1 reads with its own name in Host.
        foreach (var host in new[] { $"attacker.example:{port}", "attacker.example", $"localhost.attacker.example:{port}", $"127.0.0.1.nip.io:{port}", $"10.1.2.3:{port}" })
        {
            var refused = await Get(host);
            Assert.Equal(HttpStatusCode.MisdirectedRequest, refused.StatusCode);
            Assert.Contains("only loopback host names", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.MisdirectedRequest, (await Get(host, "/")).StatusCode);
        }
        foreach (var host in new[] { $"127.0.0.1:{port}", $"localhost:{port}", $"LOCALHOST:{port}", "localhost", $"[::1]:{port}", $"127.0.0.2:{port}" })
        {
            Assert.Equal(HttpStatusCode.OK, (await Get(host)).StatusCode);
        }
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task Basic_auth_guards_everything_but_healthz_and_hostile_requests_are_refused()
    {
        var (agent, http) = Start($$"""{ "Mode": "basic", "Username": "operator", "PasswordHash": "{{PasswordHash.Create(Password)}}" }""");
        using var _ = agent;
        using var __ = http;

        var anonymous = await http.GetAsync("/api/state");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString());
        foreach (var (user, password) in new[] { ("operator", "wrong"), ("someone", Password), ("operator", "") })
        {
            using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = Basic(user, password) } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/readyz")).StatusCode);

        http.DefaultRequestHeaders.Authorization = Basic("operator", Password);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/state")).StatusCode);
        Eventually.True(() => http.GetAsync("/readyz").Result.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "readyz");

        // State changes need the CSRF header, and exactly the documented body.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/cameras/line/enabled", Json("""{"enabled":false}"""))).StatusCode);
        http.DefaultRequestHeaders.Add("X-LineWatch", "1");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/cameras/line/enabled", Json("""{"enabled":"no"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/cameras/line/enabled", Json("""{"enabled":false,"x":1}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/cameras/line/learn", Json("[1]"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/api/cameras/ghost/enabled", Json("""{"enabled":false}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/api/alerts/0123abcd/feedback", Json("""{"verdict":"confirmed"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/cameras/line/scores?minutes=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/cameras/line/scores?minutes=abc")).StatusCode);

        // Oversized: body, header, request line.
        // With Expect: 100-continue, as clients send large bodies: the refusal comes before the body, so the test does
        // not race the server closing the connection while the client is still writing a megabyte (a broken pipe).
        using (var oversized = new HttpRequestMessage(HttpMethod.Post, "/api/cameras/line/enabled") { Content = Json(new string(' ', 1_000_000) + "{}") })
        {
            oversized.Headers.ExpectContinue = true;
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(oversized)).StatusCode);
        }
        using (var huge = new HttpRequestMessage(HttpMethod.Get, "/api/state"))
        {
            huge.Headers.Add("X-Padding", new string('a', 40_000));
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await http.SendAsync(huge)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.RequestUriTooLong, (await http.GetAsync("/api/alerts?camera=" + new string('a', 10_000))).StatusCode);

        // Path traversal, sent as raw bytes so no client library tidies the path first.
        var authorization = $"Authorization: Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{Password}"))}";
        foreach (var path in new[]
        {
            "/assets/../../../../etc/passwd", "/assets/..%2F..%2F..%2Fetc%2Fpasswd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/app.js%00.png",
            "/api/cameras/..%2F..%2F..%2Fetc%2Fpasswd/frame.jpg", "/api/cameras/../../etc/frame.jpg", "/api/alerts/..%2F..%2Fetc%2Fpasswd/snapshot.jpg",
            "/api/alerts?camera=..%2F..%2Fetc%2Fpasswd", "/..%2F..%2F..%2Fetc%2Fpasswd",
        })
        {
            var (status, body) = await Raw(http.BaseAddress!, path, authorization);
            Assert.True(status is 400 or 404, $"{path}: {status}");
            Assert.DoesNotContain("root:", body);
        }
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task Wrong_passwords_from_one_address_get_429_with_Retry_After_while_a_signed_in_operator_stays_in()
    {
        var (agent, http) = Start($$"""{ "Mode": "basic", "Username": "operator", "PasswordHash": "{{PasswordHash.Create(Password)}}" }""");
        using var _ = agent;
        using var __ = http;
        async Task<HttpResponseMessage> Get(string password)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/state") { Headers = { Authorization = Basic("operator", password) } };
            return await http.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await Get(Password)).StatusCode);
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"guess {i}")).StatusCode);
        var refused = await Get("guess 5");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.StartsWith("Too many wrong passwords from this address", await refused.Content.ReadAsStringAsync());

        // The operator's browser was signed in before the guessing began: it is remembered, not throttled.
        Assert.Equal(HttpStatusCode.OK, (await Get(Password)).StatusCode);
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task Token_auth_takes_a_bearer_header_or_the_login_cookie_and_metrics_parse_with_prometheus_own_parser()
    {
        var (agent, http) = Start($$"""{ "Mode": "token", "TokenSha256": "{{PasswordHash.TokenSha256(Token)}}" }""");
        using var _ = agent;
        using var __ = http;

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token") } })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        using (var page = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Accept", "text/html" } } })
        {
            var response = await http.SendAsync(page);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("action=\"/login\"", await response.Content.ReadAsStringAsync());
        }
        var refused = await http.PostAsync("/login", new FormUrlEncodedContent([new("token", "guess")]));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = http.BaseAddress })
        {
            var login = await noRedirect.PostAsync("/login", new FormUrlEncodedContent([new("token", Token)]));
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/state") { Headers = { { "Cookie", cookie.Split(';')[0] } } };
            Assert.Equal(HttpStatusCode.OK, (await noRedirect.SendAsync(withCookie)).StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Eventually.True(() => http.GetStringAsync("/metrics").Result.Contains("linewatch_inference_batch_seconds_count"), TimeSpan.FromSeconds(20), "inference in /metrics");
        var metrics = await http.GetAsync("/metrics");
        Assert.StartsWith("text/plain; version=0.0.4", metrics.Content.Headers.ContentType!.ToString());
        var text = await metrics.Content.ReadAsStringAsync();
        var parsed = ParseWithPrometheusClient(text);
        Assert.Contains("linewatch_inference_batch_seconds histogram", parsed);
        Assert.Contains("linewatch_camera_frames counter", parsed);
        Assert.Contains("linewatch_camera_score gauge", parsed);
        Assert.Contains("linewatch_outbox_pending gauge", parsed);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<(int Status, string Body)> Raw(Uri server, string path, string header)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.Host}\r\n{header}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        return (int.Parse(response.Split(' ')[1]), response);
    }

    /// <summary>Prometheus' own Python client parses the exposition (Debian python3-prometheus-client); returns "name type" per family.</summary>
    private static string ParseWithPrometheusClient(string text)
    {
        var script = "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as parse\n" +
                     "for f in parse(sys.stdin.read()):\n    assert f.samples or f.type != 'histogram', f.name\n    print(f.name, f.type)\n";
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", script])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        process.StandardInput.Write(text);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"prometheus_client could not parse /metrics: {error}");
        return output;
    }

    public void Dispose() => _dir.Dispose();
}
