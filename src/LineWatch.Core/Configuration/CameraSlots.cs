namespace LineWatch.Configuration;

/// <summary>
/// Which camera runs in which slot of the running agent. Every per-camera structure (capture, scorer, alerts,
/// learning, switches, the dashboard's chart) is sized to <see cref="Capacity"/> slots at start-up and indexed by
/// slot, so a camera added to the configuration later takes a free slot without resizing anything the capture and
/// inference threads read. The cameras configured at start-up hold slots 0..n-1 in file order. A camera removed from
/// the configuration keeps its slot (and its counters) until the agent restarts, so putting it back resumes it; a new
/// name takes a slot never used since start-up, and none is free once <see cref="Capacity"/> names have been run.
/// </summary>
public sealed class CameraSlots
{
    private readonly string?[] _names;
    private readonly CameraOptions?[] _cameras;
    private readonly bool[] _configured;
    private readonly Lock _lock = new();
    private int _used;

    /// <summary>Slots for <see cref="AgentOptions.MaxCameras"/> cameras (or the configured ones, if more: options built
    /// in code, like the benchmarks', are not validated), the configured ones taken in file order.</summary>
    public CameraSlots(AgentOptions options)
    {
        Capacity = Math.Max(options.MaxCameras, options.Cameras.Count);
        _names = new string?[Capacity];
        _cameras = new CameraOptions?[Capacity];
        _configured = new bool[Capacity];
        foreach (var camera in options.Cameras) Take(camera);
    }

    public int Capacity { get; }

    /// <summary>Raised with its slot after a camera joined the configuration (a new one or one put back), before its capture starts.</summary>
    public event Action<int>? Joined;

    /// <summary>Raised with its slot after a camera left the configuration, once its capture stopped and its alert ended.</summary>
    public event Action<int>? Left;

    /// <summary>The camera that holds the slot (or held it, if removed since); null for a slot no camera took yet.</summary>
    public string? Name(int slot) => slot >= 0 && slot < Capacity ? Volatile.Read(ref _names[slot]) : null;

    /// <summary>The latest settings of the slot's camera; null for a slot no camera took yet.</summary>
    public CameraOptions? Camera(int slot) => slot >= 0 && slot < Capacity ? Volatile.Read(ref _cameras[slot]) : null;

    /// <summary>Whether the slot's camera is in the configuration now.</summary>
    public bool IsConfigured(int slot) => slot >= 0 && slot < Capacity && Volatile.Read(ref _configured[slot]);

    /// <summary>The slot of a camera in the configuration, by its exact name (as MQTT topics and URLs spell it); -1 for any other name.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Capacity; i++)
        {
            if (IsConfigured(i) && string.Equals(Name(i), name, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>The slot a camera holds or held since start-up (names are unique ignoring case, as the configuration checks), or null.</summary>
    public int? SlotOf(string name)
    {
        for (var i = 0; i < Capacity; i++)
        {
            if (string.Equals(Name(i), name, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return null;
    }

    /// <summary>The configured cameras' slots, in slot order.</summary>
    public IReadOnlyList<int> Configured()
    {
        var slots = new List<int>(Capacity);
        for (var i = 0; i < Capacity; i++) if (IsConfigured(i)) slots.Add(i);
        return slots;
    }

    /// <summary>
    /// Puts a camera in the configuration: back in the slot it held, or in a free one. Returns its slot, or null when every
    /// slot is held (by configured cameras or by ones removed since start-up); then nothing changes. Raises <see cref="Joined"/>.
    /// </summary>
    public int? Take(CameraOptions camera)
    {
        int slot;
        lock (_lock)
        {
            if (SlotOf(camera.Name) is { } held)
            {
                slot = held;
            }
            else
            {
                if (_used == Capacity) return null;
                slot = _used++;
                Volatile.Write(ref _names[slot], camera.Name);
            }
            Volatile.Write(ref _cameras[slot], camera);
            Volatile.Write(ref _configured[slot], true);
        }
        Joined?.Invoke(slot);
        return slot;
    }

    /// <summary>New settings of a configured camera (its regions, its capture), for whatever reads them from now on.</summary>
    public void Update(int slot, CameraOptions camera) => Volatile.Write(ref _cameras[slot], camera);

    /// <summary>Takes a camera out of the configuration; it keeps its slot for when it is put back. Raises <see cref="Left"/>.</summary>
    public void Release(int slot)
    {
        lock (_lock)
        {
            if (!IsConfigured(slot)) return;
            Volatile.Write(ref _configured[slot], false);
        }
        Left?.Invoke(slot);
    }
}
