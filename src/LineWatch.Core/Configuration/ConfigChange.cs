using System.Reflection;
using System.Text.Json;

namespace LineWatch.Configuration;

/// <summary>
/// What differs between the configuration the agent runs on and a new version of the file, sorted by how it
/// can be put in force: the alert policy, a camera's regions, cameras removed or added (by their position in the
/// new file) and cameras whose capture settings changed (<see cref="CaptureSettings"/>: that camera alone restarts)
/// are for the reload to apply; the rest (model, MQTT, the dashboard's address, a camera's sampling...) is named by
/// key, as needing a restart. Values are compared, never shown, so a changed password is reported by its key alone.
/// </summary>
public sealed record ConfigChange(bool Alerts, IReadOnlyList<(string Camera, List<RegionOptions> Regions)> Regions, IReadOnlyList<string> NeedRestart,
    IReadOnlyList<(int Index, string Camera)> Added, IReadOnlyList<string> Removed, IReadOnlyList<(int Index, string Camera, IReadOnlyList<string> Keys)> Recaptured)
{
    /// <summary>A camera's settings that only its capture reads: a change restarts that camera's capture, nothing else.
    /// Sampling (AnalysisFps, Stride) also shapes its scoring and stays with the restart of the agent.</summary>
    public static readonly IReadOnlySet<string> CaptureSettings = new HashSet<string>
    {
        nameof(CameraOptions.Source), nameof(CameraOptions.Enabled), nameof(CameraOptions.Loop), nameof(CameraOptions.WatchdogSeconds),
        nameof(CameraOptions.SettleSeconds), nameof(CameraOptions.MaxBackoffSeconds),
    };

    private static readonly JsonSerializerOptions Json = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public bool IsEmpty => !Alerts && Regions.Count == 0 && NeedRestart.Count == 0 && Added.Count == 0 && Removed.Count == 0 && Recaptured.Count == 0;

    public static ConfigChange Between(AgentOptions running, AgentOptions next)
    {
        var restart = new List<string>();
        foreach (var property in typeof(AgentOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.Name is nameof(AgentOptions.Cameras) or nameof(AgentOptions.Alerts)) continue;
            if (!Same(property.GetValue(running), property.GetValue(next))) restart.Add(property.Name);
        }
        var regions = new List<(string, List<RegionOptions>)>();
        var added = new List<(int, string)>();
        var recaptured = new List<(int, string, IReadOnlyList<string>)>();
        var before = running.Cameras.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < next.Cameras.Count; i++)
        {
            var camera = next.Cameras[i];
            if (!before.Remove(camera.Name, out var old))
            {
                added.Add((i, camera.Name));
                continue;
            }
            var capture = new List<string>();
            foreach (var property in typeof(CameraOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.Name == nameof(CameraOptions.Regions) || Same(property.GetValue(old), property.GetValue(camera))) continue;
                if (CaptureSettings.Contains(property.Name)) capture.Add($"Cameras:{i}:{property.Name}");
                else restart.Add($"Cameras:{i}:{property.Name}");
            }
            if (capture.Count > 0) recaptured.Add((i, camera.Name, capture));
            if (!Same(old.Regions, camera.Regions)) regions.Add((camera.Name, camera.Regions));
        }
        return new ConfigChange(!Same(running.Alerts, next.Alerts), regions, restart, added, before.Keys.ToArray(), recaptured);
    }

    private static bool Same(object? a, object? b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json);
}
