using System.CommandLine;
using System.Text.Json;
using LineWatch.Agent.Dashboard;
using LineWatch.Configuration;
using LineWatch.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Cli;

/// <summary>
/// `linewatch fleet --broker HOST:PORT [--json | --serve URL]`: every agent publishing to a central broker, printed
/// once (as a table or JSON) or served as the fleet page until stopped. The password, if the broker needs one, comes
/// from LINEWATCH_FLEET_PASSWORD, never from the command line (which every local user can read).
/// </summary>
internal static class FleetCommand
{
    public const string PasswordVariable = "LINEWATCH_FLEET_PASSWORD";

    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = "The central broker, HOST:PORT", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "The agents' topic prefix (Mqtt:TopicPrefix)", DefaultValueFactory = _ => "linewatch" };
        var username = new Option<string>("--username") { Description = $"User on the central broker (password from ${PasswordVariable})", DefaultValueFactory = _ => "" };
        var cafile = new Option<string>("--cafile") { Description = "TLS: PEM file of the CA that signed the broker's certificate", DefaultValueFactory = _ => "" };
        var wait = new Option<double>("--wait") { Description = "Seconds to listen before printing (retained states arrive at once; events as they come)", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var serve = new Option<string?>("--serve") { Description = "Serve the fleet page on this loopback URL (e.g. http://127.0.0.1:8090) until stopped" };
        var command = new Command("fleet", "Every agent on a central MQTT broker: online or offline, version, inference latency, cameras and their states, last alerts")
        {
            broker, prefix, username, cafile, wait, json, serve,
        };
        command.SetAction(async (parse, stop) =>
        {
            var options = new MqttOptions
            {
                Mode = MqttMode.External, TopicPrefix = parse.GetValue(prefix)!, Username = parse.GetValue(username)!,
                Password = Environment.GetEnvironmentVariable(PasswordVariable) ?? "",
            };
            var problems = new List<string>();
            if (!TryParseBroker(parse.GetValue(broker)!, options, out var brokerError)) problems.Add(brokerError);
            if (parse.GetValue(cafile) is { Length: > 0 } ca)
            {
                options.Tls = new MqttTlsOptions { Enabled = true, CaFile = Path.GetFullPath(ca) };
                if (!File.Exists(options.Tls.CaFile)) problems.Add($"--cafile: file not found: {options.Tls.CaFile}");
            }
            var url = parse.GetValue(serve);
            if (url is not null && !IsLoopbackHttp(url)) problems.Add($"--serve '{url}': the fleet page has no authentication, so it is served on a loopback http:// URL only");
            if (problems.Count > 0)
            {
                foreach (var problem in problems) Console.Error.WriteLine(problem);
                return ExitCodes.InvalidConfiguration;
            }

            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(url is null ? LogLevel.Warning : LogLevel.Information));
            using var watcher = new FleetWatcher(options, TimeProvider.System, loggers.CreateLogger("fleet"));
            watcher.Start();
            if (url is not null) return await Serve(url, watcher, stop);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!watcher.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(50, stop);
            if (!watcher.IsConnected)
            {
                Console.Error.WriteLine($"could not connect to {options.Host}:{options.Port} within 10 s");
                return ExitCodes.Failure;
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(wait), 0.5, 600)), stop);
            var report = FleetPage.Report(watcher);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, FleetPage.Json));
            else PrintTable(report.Fleet);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static bool TryParseBroker(string text, MqttOptions options, out string error)
    {
        error = "";
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? text : text[..colon].Trim('[', ']');
        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"--broker '{text}': '{host}' is not a host name or IP address";
            return false;
        }
        var port = 1883;
        if (colon >= 0 && (!int.TryParse(text[(colon + 1)..], out port) || port is < 1 or > 65535))
        {
            error = $"--broker '{text}': the port must be 1-65535";
            return false;
        }
        options.Host = host;
        options.Port = port;
        return true;
    }

    private static bool IsLoopbackHttp(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "http" && uri.UserInfo.Length == 0 && uri.AbsolutePath == "/" && LoopbackHost.IsLoopback(uri.Host);

    private static async Task<int> Serve(string url, FleetWatcher watcher, CancellationToken stop)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        await using var app = builder.Build();
        app.Use(async (context, next) =>
        {
            DashboardServer.SetSecurityHeaders(context.Response);
            if (await DashboardServer.AnswersLoopbackOnly(context)) await next(context);
        });
        app.MapGet("/", () => Results.Redirect("/fleet"));
        app.MapGet("/assets/{file}", (string file) => DashboardServer.Asset(file));
        FleetPage.Map(app, watcher);
        await app.StartAsync(stop);
        Console.WriteLine($"Fleet page on {url.TrimEnd('/')}/fleet");
        await app.WaitForShutdownAsync(stop);
        return ExitCodes.Ok;
    }

    private static void PrintTable(FleetSnapshot fleet)
    {
        Console.WriteLine($"{"agent",-20} {"status",-8} {"version",-12} {"infer p50/p99 ms",-17} {"cameras",-40} last alert");
        foreach (var a in fleet.Agents)
        {
            var cameras = string.Join(", ", a.Cameras.Select(c => $"{c.Name} {c.State}"));
            var alert = a.LastAlerts.FirstOrDefault() is { } last ? $"{last.Time.ToLocalTime():HH:mm:ss} {last.Camera} {last.Type} (peak {last.Peak:0.00})" : "-";
            var latency = a.InferenceP50Ms is { } p50 ? $"{p50:0}/{a.InferenceP99Ms:0}" : "-";
            Console.WriteLine($"{a.Id,-20} {(a.Online ? "online" : "offline"),-8} {a.Version ?? "-",-12} {latency,-17} {cameras,-40} {alert}");
        }
        if (fleet.Agents.Count == 0) Console.WriteLine("(no agent has published under this prefix)");
        if (fleet.Ignored > 0) Console.WriteLine($"{fleet.Ignored} messages did not follow the MQTT contract and were ignored");
    }
}
