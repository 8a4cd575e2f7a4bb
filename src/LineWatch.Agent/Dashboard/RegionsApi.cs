using System.Text.Json;
using LineWatch.Agent.Hosting;
using LineWatch.Configuration;
using LineWatch.Scoring;
using LineWatch.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// A camera's regions on the dashboard: read them with the patches they leave scored, and save new ones. A save
/// is checked like the file (<see cref="RegionRules"/>, then the whole file as it would be), written into the
/// configuration file's own text (<see cref="ConfigFileEdit"/>) atomically and with the file's permissions, and
/// put in force at once through <see cref="ConfigReloadService"/>.
/// </summary>
internal sealed class RegionsApi(ConfigReloadService configuration, CameraSlots slots, PipelineService pipeline, ILogger<RegionsApi> logger)
{
    /// <summary>16 regions of 64 points with long decimals fit in well under this.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private readonly Lock _saving = new();

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cameras/{name}/regions", (string name) =>
            slots.SlotOf(name) is null ? DashboardApi.NotFound($"unknown camera '{name}'")
            : View(name) is { } view ? Results.Json(view, DashboardApi.Json)
            : DashboardApi.NotFound($"camera '{name}' is no longer in the configuration"));
        app.MapPost("/api/cameras/{name}/regions", async (string name, HttpRequest request) =>
        {
            if (slots.SlotOf(name) is null) return DashboardApi.NotFound($"unknown camera '{name}'");
            if (await DashboardApi.Body(request, MaxBodyBytes, maxDepth: 6) is not { } body || !body.TryGetProperty("regions", out var list)
                || list.ValueKind != JsonValueKind.Array || body.EnumerateObject().Count() != 1)
            {
                return DashboardApi.BadRequest("expected {\"regions\": [{\"name\": ..., \"mode\": \"exclude\"|\"watch\", \"points\": [[x, y], ...]}, ...]}");
            }
            if (Parse(list, out var error) is not { } regions) return DashboardApi.BadRequest(error);
            return Save(name, regions);
        });
    }

    /// <summary>The camera's regions in force and the patches they leave scored; null for a camera taken out of the file.</summary>
    private object? View(string camera)
    {
        var options = configuration.Current.Options.Cameras.FirstOrDefault(c => string.Equals(c.Name, camera, StringComparison.OrdinalIgnoreCase));
        if (options is null) return null;
        var grid = pipeline.Pipeline?.Shape.Grid;
        var mask = grid is { } g ? RegionMask.Build(options.Regions, g) : null;
        return new
        {
            regions = options.Regions.Select(r => new { name = r.Name, mode = r.Mode.ToString().ToLowerInvariant(), points = r.Points }),
            grid,
            scored = mask is null ? null : mask.Scored.ToArray(),
        };
    }

    private IResult Save(string camera, List<RegionOptions> regions)
    {
        var path = configuration.Current.FilePath;
        lock (_saving)
        {
            string text;
            int index;
            try
            {
                text = ConfigFileEdit.SetRegions(File.ReadAllText(path), camera, regions, out index);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return Conflict($"cannot edit the configuration file: {e.Message}");
            }
            var errors = new List<ConfigError>();
            RegionRules.Validate(regions, $"Cameras:{index}:Regions", errors);
            if (pipeline.Pipeline?.Shape.Grid is { } grid) RegionRules.CheckCoverage(regions, $"Cameras:{index}:Regions", grid, errors);
            if (errors.Count > 0) return DashboardApi.BadRequest(string.Join("; ", errors));
            AgentConfiguration next;
            try
            {
                next = AgentConfiguration.Load(path, contents: text);
            }
            catch (ConfigurationException e)
            {
                // Someone's hand edit of another setting: the dashboard does not save over it.
                return Conflict($"the configuration file has other problems, fix them first: {string.Join("; ", e.Errors)}");
            }
            try
            {
                // The file may hold passwords: the new one gets the old one's permissions from its first byte.
                AtomicFile.WriteAllText(path, text, OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogError("Regions of camera {Camera} not saved: cannot write {File} ({Reason})", camera, path, e.Message);
                return Conflict($"cannot write the configuration file ({e.Message}); the agent needs write access to it and its folder to save regions");
            }
            var rejected = configuration.Apply(next);
            if (rejected.Count > 0) return Conflict(string.Join("; ", rejected));
            return Results.Json(View(camera), DashboardApi.Json);
        }
    }

    /// <summary>The request's regions, with coordinates rounded to 1/10000 of the picture (finer than any pixel).</summary>
    private static List<RegionOptions>? Parse(JsonElement list, out string error)
    {
        var regions = new List<RegionOptions>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"regions[{i++}]";
            if (item.ValueKind != JsonValueKind.Object || item.EnumerateObject().Any(p => p.Name is not ("name" or "mode" or "points"))
                || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("mode", out var mode) || mode.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("points", out var points) || points.ValueKind != JsonValueKind.Array)
            {
                error = $"{at} must be {{\"name\": string, \"mode\": \"exclude\"|\"watch\", \"points\": [[x, y], ...]}}";
                return null;
            }
            if (mode.GetString() is not ("exclude" or "watch"))
            {
                error = $"{at}.mode '{mode.GetString()}' is not one of exclude|watch";
                return null;
            }
            var corners = new List<double[]>();
            foreach (var point in points.EnumerateArray())
            {
                if (point.ValueKind != JsonValueKind.Array || point.GetArrayLength() != 2 || point.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                {
                    error = $"{at}.points[{corners.Count}] must be [x, y] numbers";
                    return null;
                }
                corners.Add([Math.Round(point[0].GetDouble(), 4), Math.Round(point[1].GetDouble(), 4)]);
            }
            regions.Add(new RegionOptions { Name = name.GetString()!, Mode = mode.GetString() == "watch" ? RegionMode.Watch : RegionMode.Exclude, Points = corners });
        }
        error = "";
        return regions;
    }

    private static IResult Conflict(string error) => Results.Json(new { error }, DashboardApi.Json, statusCode: 409);
}
