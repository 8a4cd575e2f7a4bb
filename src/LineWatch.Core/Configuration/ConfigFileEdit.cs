using System.Text.Json;
using System.Text.Json.Nodes;

namespace LineWatch.Configuration;

/// <summary>
/// Changes one setting in the configuration file's own text, leaving every other value as the file has it. The
/// bound options are never written back: they carry LINEWATCH__* environment overrides (camera URLs with
/// passwords, say) that must not land in the file. Comments in the file do not survive (JSON has none to keep).
/// </summary>
public static class ConfigFileEdit
{
    private static readonly JsonDocumentOptions Read = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonSerializerOptions Write = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The file's text with camera <paramref name="camera"/>'s Regions replaced.</summary>
    /// <param name="index">The camera's position in the file's Cameras list, for error keys.</param>
    /// <exception cref="InvalidDataException">The text is not a configuration with that camera in its Cameras list.</exception>
    public static string SetRegions(string text, string camera, IReadOnlyList<RegionOptions> regions, out int index)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: Read);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the configuration file is not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject top || Property(top, nameof(AgentOptions.Cameras)) is not JsonArray cameras)
        {
            throw new InvalidDataException("the configuration file has no Cameras list");
        }
        for (index = 0; index < cameras.Count; index++)
        {
            if (cameras[index] is not JsonObject entry || Property(entry, nameof(CameraOptions.Name)) is not JsonValue name
                || !string.Equals(name.ToString(), camera, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var key in entry.Select(p => p.Key).Where(IsRegions).ToArray()) entry.Remove(key);
            entry[nameof(CameraOptions.Regions)] = new JsonArray(regions.Select(Node).ToArray<JsonNode?>());
            return top.ToJsonString(Write) + Environment.NewLine;
        }
        throw new InvalidDataException($"camera '{camera}' is not in the configuration file's Cameras list (set by the environment?)");
    }

    private static bool IsRegions(string key) => string.Equals(key, nameof(CameraOptions.Regions), StringComparison.OrdinalIgnoreCase);

    /// <summary>The configuration's keys are case-insensitive, as the binder reads them.</summary>
    private static JsonNode? Property(JsonObject node, string name) =>
        node.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static JsonNode Node(RegionOptions region) => new JsonObject
    {
        [nameof(RegionOptions.Name)] = region.Name,
        [nameof(RegionOptions.Mode)] = region.Mode.ToString().ToLowerInvariant(),
        [nameof(RegionOptions.Points)] = new JsonArray(region.Points.Select(p => (JsonNode?)new JsonArray(p.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())).ToArray()),
    };
}
