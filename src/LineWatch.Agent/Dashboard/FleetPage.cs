using System.Text.Json;
using LineWatch.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// The fleet page (<c>/fleet</c>) and its data (<c>/api/fleet</c>): every agent the central broker has heard of. Served
/// by an agent's dashboard with <c>Fleet:Enabled</c>, or on its own by `linewatch fleet --serve`.
/// </summary>
internal static class FleetPage
{
    /// <summary>As the MQTT payloads name things, so the page, the API and `linewatch fleet --json` read alike.</summary>
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static void Map(IEndpointRouteBuilder app, FleetWatcher watcher)
    {
        app.MapGet("/fleet", () => DashboardServer.Asset("fleet.html"));
        app.MapGet("/api/fleet", () => Results.Json(Report(watcher), Json));
    }

    public static FleetReport Report(FleetWatcher watcher) => new(watcher.IsConnected, watcher.State.Snapshot());
}

/// <param name="Connected">Whether the view is connected to the central broker now: if not, what it shows may be stale.</param>
internal sealed record FleetReport(bool Connected, FleetSnapshot Fleet);
