using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using LineWatch.Agent.Hosting;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Record;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// The operators' web dashboard, served by the agent itself through Kestrel on <c>Dashboard:Urls</c>: the page
/// and its assets (embedded in the executable, so nothing is fetched from anywhere), the JSON API, live updates
/// as Server-Sent Events, <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>. Requests are small by construction
/// (Kestrel limits below), authenticated per <see cref="DashboardAuth"/>, and state-changing calls must carry a
/// header a cross-site form cannot send.
/// </summary>
internal sealed class DashboardServer(AgentOptions options, CameraSlots slots, DashboardApi api, AgentStatus status, PipelineService pipeline, AlertHistory history,
    ClipStore clips, FleetService fleet, IHostApplicationLifetime lifetime, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    public const string CsrfHeader = "X-LineWatch";
    private const int MaxLiveClients = 32;
    private static readonly IReadOnlyDictionary<string, (string ContentType, byte[] Content)> Assets = LoadAssets();

    private readonly ILogger _logger = loggers.CreateLogger<DashboardServer>();
    private readonly DashboardAuth _auth = new(options.Dashboard.Auth, PasswordHash.Verify, TimeProvider.System);
    private WebApplication? _app;
    private int _liveClients;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Dashboard.Enabled) return;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.DataDir });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls(options.Dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DashboardApi.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 50;
            kestrel.Limits.MaxConcurrentConnections = 200;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        });
        var app = builder.Build();
        app.Use(Guard);
        Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            // Another process on the port: the agent still analyses and alerts; the dashboard is what is missing.
            _logger.LogError("Dashboard not started: cannot listen on {Urls}: {Reason}", options.Dashboard.Urls, e.Message);
            await app.DisposeAsync();
            return;
        }
        // The configuration was judged loopback from the URLs as written; what counts is where Kestrel listens now.
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var exposed = bound.Where(address => !LoopbackHost.IsLoopback(new Uri(address.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0")).Host)).ToList();
        if (_auth.Mode == DashboardAuthMode.None && exposed.Count > 0)
        {
            _logger.LogError("Dashboard not started: Dashboard:Urls made it listen on {Addresses}, beyond loopback, and Dashboard:Auth:Mode is none",
                string.Join(", ", exposed));
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
            return;
        }
        _app = app;
        _logger.LogInformation("Dashboard on {Urls} (auth {Auth})", string.Join(";", bound), options.Dashboard.Auth.Mode.ToString().ToLowerInvariant());
    }

    /// <summary>Security headers on everything; authentication; the CSRF header on state-changing calls.</summary>
    private async Task Guard(HttpContext context, RequestDelegate next)
    {
        SetSecurityHeaders(context.Response);
        if (_auth.Mode == DashboardAuthMode.None && !await AnswersLoopbackOnly(context)) return;
        var access = _auth.Check(context);
        if (!access.Granted)
        {
            await _auth.Refuse(context, access, LoginPage(null));
            return;
        }
        if (context.Request.ContentLength > DashboardApi.MaxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }
        if (context.Request.Method == HttpMethods.Post && context.Request.Path.StartsWithSegments("/api") && context.Request.Headers[CsrfHeader] != "1")
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new { error = $"state-changing calls need the header {CsrfHeader}: 1" });
            return;
        }
        await next(context);
    }

    /// <summary>On every response of the dashboard and of `linewatch fleet --serve`: our own scripts only, no framing, nothing cached.</summary>
    public static void SetSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'";
        headers.CacheControl = "no-store";
    }

    /// <summary>
    /// For a server without credentials, where loopback is the only protection: a browser carries that to any site whose
    /// name is made to resolve to 127.0.0.1 (DNS rebinding), and such a page's requests name that site in Host.
    /// Answers 421 and returns false for any other host name.
    /// </summary>
    public static async Task<bool> AnswersLoopbackOnly(HttpContext context)
    {
        if (LoopbackHost.IsLoopback(context.Request.Host.Host)) return true;
        context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("This page has no authentication, so it answers only loopback host names (localhost, 127.0.0.1, [::1]). " +
            "To reach the dashboard by another name, configure Dashboard:Auth.");
        return false;
    }

    private void Map(WebApplication app)
    {
        if (fleet.Watcher is { } watcher) FleetPage.Map(app, watcher);
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/assets/{file}", (string file) => Asset(file));
        app.MapGet("/favicon.ico", () => Asset("favicon.svg"));
        app.MapGet("/healthz", () => lifetime.ApplicationStopping.IsCancellationRequested ? Results.Text("stopping", statusCode: 503) : Results.Text("ok"));
        app.MapGet("/readyz", () =>
        {
            var problems = new List<string>();
            if (pipeline.Pipeline is null) problems.Add("model not loaded (analysis not running)");
            if (slots.Configured().Count == 0) problems.Add("no cameras configured");
            return problems.Count == 0 ? Results.Json(new { ready = true }) : Results.Json(new { ready = false, problems }, statusCode: 503);
        });
        app.MapGet("/metrics", () => Results.Text(PrometheusMetrics.Render(status.Current, pipeline.Pipeline?.Inference.BatchHistogram), PrometheusMetrics.ContentType));
        app.MapGet("/api/events", Live);
        api.Map(app);
        if (_auth.Mode == DashboardAuthMode.Token)
        {
            app.MapGet("/login", () => Results.Content(LoginPage(null), "text/html; charset=utf-8"));
            app.MapPost("/login", async (HttpContext context) =>
            {
                var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
                var token = form?["token"].ToString() ?? "";
                if (!_auth.ValidToken(token)) return Results.Content(LoginPage("That token is not valid."), "text/html; charset=utf-8", statusCode: 401);
                context.Response.Cookies.Append(DashboardAuth.TokenCookie, token, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/", MaxAge = TimeSpan.FromDays(30),
                });
                return Results.Redirect("/");
            });
        }
    }

    /// <summary>
    /// Server-Sent Events, paced by <see cref="LiveEventStream"/>. A bounded queue of alert changes per client,
    /// newest kept: a stalled browser costs a few messages, not memory.
    /// </summary>
    private async Task Live(HttpContext context)
    {
        if (Interlocked.Increment(ref _liveClients) > MaxLiveClients)
        {
            Interlocked.Decrement(ref _liveClients);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        var alerts = Channel.CreateBounded<AlertRecord>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        void OnChange(AlertRecord record) => alerts.Writer.TryWrite(record);
        // A finished clip changes how the alert is shown (it gets its link): sent again like any other change.
        void OnClip(string camera, string id)
        {
            if (history.Find(id) is { } record) OnChange(record);
        }
        history.Changed += OnChange;
        clips.Finished += OnClip;
        try
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var stream = new LiveEventStream(alerts.Reader,
                async (afterAlerts, stop) =>
                {
                    // Right after alerts the once-a-second snapshot may not show them yet: take a current one.
                    if (afterAlerts) status.Refresh();
                    await Send(context, "state", api.State(), stop);
                },
                (record, stop) => Send(context, "alert", api.Alert(record), stop),
                TimeProvider.System);
            await stream.RunAsync(context.RequestAborted, lifetime.ApplicationStopping);
        }
        finally
        {
            history.Changed -= OnChange;
            clips.Finished -= OnClip;
            Interlocked.Decrement(ref _liveClients);
        }
    }

    private static async Task Send(HttpContext context, string name, object payload, CancellationToken stop)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(payload, DashboardApi.Json)}\n\n", stop);
        await context.Response.Body.FlushAsync(stop);
    }

    public static IResult Asset(string file) =>
        Assets.TryGetValue(file, out var asset) ? Results.Bytes(asset.Content, asset.ContentType) : Results.NotFound();

    private static IReadOnlyDictionary<string, (string, byte[])> LoadAssets()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "LineWatch.Agent.Dashboard.wwwroot.";
        var types = new Dictionary<string, string>
        {
            [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".css"] = "text/css; charset=utf-8", [".svg"] = "image/svg+xml",
        };
        var assets = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var file = name[prefix.Length..];
            assets[file] = (types[Path.GetExtension(file)], memory.ToArray());
        }
        return assets;
    }

    private static string LoginPage(string? message) => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>LineWatch — sign in</title>
        <link rel="icon" href="/assets/favicon.svg"><link rel="stylesheet" href="/assets/app.css"></head>
        <body class="login"><form method="post" action="/login" class="panel">
        <h1>LineWatch</h1><p>This dashboard needs its access token.</p>
        <input type="password" name="token" autocomplete="current-password" placeholder="token" required autofocus>
        <button type="submit">Sign in</button>{{(message is null ? "" : $"<p class=\"error\">{message}</p>")}}
        </form></body></html>
        """;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
