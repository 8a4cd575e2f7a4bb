using System.Text.Json;
using LineWatch.Agent.Hosting;
using LineWatch.Control;
using LineWatch.Events;
using LineWatch.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// A camera's profile versions over the dashboard's API: the list (with the version the scorer runs), two versions
/// compared, and the same rollback and undo commands as MQTT's <c>&lt;camera&gt;/profile/set</c>, through <see cref="CameraControl"/>.
/// </summary>
internal static class ProfileVersionsApi
{
    private const string CommandForm = "expected {\"action\": \"rollback\", \"version\": <n>} or {\"action\": \"undo_feedback\", \"alert_id\": \"…\"}";

    public static void Map(IEndpointRouteBuilder app, CameraControl control, PipelineService pipeline)
    {
        app.MapGet("/api/cameras/{name}/profile", (string name) => Read(control, name, (camera, i) => Results.Json(new
        {
            camera,
            current = control.Versions.Current(camera)?.Id,
            scoring = pipeline.Scorer?.VersionOf(i)?.Id,
            keep = control.Versions.Keep,
            versions = control.Versions.List(camera).Reverse(),
        }, DashboardApi.Json)));
        app.MapGet("/api/cameras/{name}/profile/compare", (string name, int? a, int? b) => Read(control, name, (camera, _) =>
            a is not { } first || b is not { } second ? DashboardApi.BadRequest("expected ?a=<version>&b=<version>")
            : Results.Json(new { camera, a = first, b = second, fields = ProfileComparison.Compare(control.Versions.Find(camera, first), control.Versions.Find(camera, second)) },
                DashboardApi.Json)));
        app.MapPost("/api/cameras/{name}/profile", async (string name, HttpRequest request) =>
        {
            var i = control.IndexOf(name);
            if (i < 0) return DashboardApi.NotFound($"unknown camera '{name}'");
            if (await DashboardApi.Body(request) is not { } body || Parse(i, body) is not { } command) return DashboardApi.BadRequest(CommandForm);
            return DashboardApi.Outcome(control.Apply(command with { By = "dashboard" }));
        });
    }

    private static CameraCommand? Parse(int camera, JsonElement body)
    {
        if (!body.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String) return null;
        return action.GetString() switch
        {
            "rollback" when DashboardApi.Only(body, "action", "version") && body.TryGetProperty("version", out var v)
                && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var version) && version > 0 => new RollbackProfile(camera, version),
            "undo_feedback" when DashboardApi.Only(body, "action", "alert_id") && body.TryGetProperty("alert_id", out var id)
                && id.ValueKind == JsonValueKind.String && AlertFeedback.IsAlertId(id.GetString()) => new UndoFeedback(camera, id.GetString()!),
            _ => null,
        };
    }

    /// <summary>A read of the camera's versions; an unknown camera or version is a 404 that names it, unreadable files a 500 that says why.</summary>
    private static IResult Read(CameraControl control, string name, Func<string, int, IResult> read)
    {
        var index = control.IndexOf(name);
        if (index < 0) return DashboardApi.NotFound($"unknown camera '{name}'");
        try
        {
            return read(control.Name(index), index);
        }
        catch (ProfileVersionException e)
        {
            return DashboardApi.NotFound(e.Message);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return Results.Json(new { error = $"camera {name}'s profile versions cannot be read: {e.Message}" }, DashboardApi.Json, statusCode: 500);
        }
    }
}
