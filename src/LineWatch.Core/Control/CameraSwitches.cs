using System.Text.Json;
using LineWatch.Processing;
using LineWatch.Storage;
using Microsoft.Extensions.Logging;

namespace LineWatch.Control;

/// <summary>
/// Whether each camera is analysed, as switched at run time (MQTT <c>enabled/set</c>, the dashboard). Kept in
/// DataDir/control/switches.json so a camera an operator switched off stays off after a restart. A camera
/// switched off is still captured (the dashboard shows it) but its windows are not analysed.
/// </summary>
public sealed class CameraSwitches : IAnalysisSwitch
{
    private readonly string _path;
    private readonly IReadOnlyList<string> _cameras;
    private readonly bool[] _enabled;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    public CameraSwitches(string dataDir, IReadOnlyList<string> cameras, ILogger<CameraSwitches> logger)
    {
        _path = Path.Combine(dataDir, "control", "switches.json");
        _cameras = cameras;
        _logger = logger;
        _enabled = cameras.Select(_ => true).ToArray();
        foreach (var name in LoadDisabled())
        {
            var index = IndexOf(name);
            if (index >= 0) _enabled[index] = false;
        }
    }

    public bool IsAnalysing(int camera) => Volatile.Read(ref _enabled[camera]);

    public void SetEnabled(int camera, bool enabled)
    {
        lock (_lock)
        {
            Volatile.Write(ref _enabled[camera], enabled);
            var disabled = _cameras.Where((_, i) => !_enabled[i]).ToArray();
            AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(new Saved(disabled)));
        }
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _cameras.Count; i++) if (_cameras[i] == name) return i;
        return -1;
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
