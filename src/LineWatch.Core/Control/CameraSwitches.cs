using System.Text.Json;
using LineWatch.Configuration;
using LineWatch.Processing;
using LineWatch.Storage;
using Microsoft.Extensions.Logging;

namespace LineWatch.Control;

/// <summary>
/// Whether each camera is analysed, as switched at run time (MQTT <c>enabled/set</c>, the dashboard). Kept in
/// DataDir/control/switches.json so a camera an operator switched off stays off after a restart. A camera
/// switched off is still captured (the dashboard shows it) but its windows are not analysed. Switches are kept by
/// camera name, also for a camera not in the configuration now, so one removed and put back (or added after a restart)
/// comes back as it was switched.
/// </summary>
public sealed class CameraSwitches : IAnalysisSwitch
{
    private readonly string _path;
    private readonly CameraSlots _slots;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    // The names switched off, replaced whole on a change: a camera added later, or removed and put back, finds its switch here.
    private volatile IReadOnlySet<string> _disabled;

    public CameraSwitches(string dataDir, CameraSlots slots, ILogger<CameraSwitches> logger)
    {
        _path = Path.Combine(dataDir, "control", "switches.json");
        _slots = slots;
        _logger = logger;
        _disabled = new HashSet<string>(LoadDisabled(), StringComparer.Ordinal);
    }

    public bool IsAnalysing(int camera) => _slots.Name(camera) is { } name && !_disabled.Contains(name);

    public void SetEnabled(int camera, bool enabled)
    {
        var name = _slots.Name(camera) ?? throw new ArgumentOutOfRangeException(nameof(camera), $"no camera in slot {camera}");
        lock (_lock)
        {
            var disabled = new HashSet<string>(_disabled, StringComparer.Ordinal);
            if (enabled) disabled.Remove(name);
            else disabled.Add(name);
            AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(new Saved(disabled.Order(StringComparer.Ordinal).ToArray())));
            _disabled = disabled;
        }
    }

    private IEnumerable<string> LoadDisabled()
    {
        if (!File.Exists(_path)) return [];
        try
        {
            return JsonSerializer.Deserialize<Saved>(File.ReadAllText(_path))?.Disabled ?? [];
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            _logger.LogWarning("Ignoring {Path} ({Reason}): every camera starts enabled", _path, e.Message);
            return [];
        }
    }

    private sealed record Saved(string[] Disabled);
}
