namespace LineWatch.Configuration;

/// <summary>
/// Which camera runs in which slot of the running agent. Every per-camera structure (capture, scorer, alerts,
/// learning, switches, the dashboard's chart) is sized to <see cref="Capacity"/> slots at start-up and indexed by
/// slot, so a camera added to the configuration later takes a free slot without resizing anything the capture and
/// inference threads read. The cameras configured at start-up hold slots 0..n-1 in file order. A camera removed from
/// the configuration keeps its slot (and its counters) until another camera needs it, so putting it back resumes it. A new
/// name takes a slot never used since start-up, or else the slot of the camera removed longest ago (<see cref="Reused"/>);
/// none is free while every slot holds a camera in the configuration.
/// </summary>
public sealed class CameraSlots
{
    private readonly string?[] _names;
    private readonly CameraOptions?[] _cameras;
    private readonly bool[] _configured;
    private readonly string?[] _previous;
    // When each slot's camera was last removed (a count of removals), so a new name takes the slot left longest ago.
    private readonly long[] _leftAt;
    private readonly HashSet<string> _run = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _used;
    private long _removals;

    /// <summary>Slots for <see cref="AgentOptions.MaxCameras"/> cameras (or the configured ones, if more: options built
    /// in code, like the benchmarks', are not validated), the configured ones taken in file order.</summary>
    public CameraSlots(AgentOptions options)
    {
        Capacity = Math.Max(options.MaxCameras, options.Cameras.Count);
        _names = new string?[Capacity];
        _cameras = new CameraOptions?[Capacity];
        _configured = new bool[Capacity];
        _previous = new string?[Capacity];
        _leftAt = new long[Capacity];
        foreach (var camera in options.Cameras) Take(camera);
    }

    public int Capacity { get; }

    /// <summary>Raised with its slot after a camera joined the configuration (a new one or one put back), before its capture starts.</summary>
    public event Action<int>? Joined;

    /// <summary>Raised with its slot after a camera left the configuration, once its capture stopped and its alert ended.</summary>
    public event Action<int>? Left;

    /// <summary>
    /// Raised with its slot and the removed camera's name when a new camera takes the slot of a removed one, before
    /// <see cref="Joined"/> and before its capture starts: whatever a consumer keeps per slot belongs to the removed camera
    /// and is dropped here, so nothing of it reaches the new one.
    /// </summary>
    public event Action<int, string>? Reused;

    /// <summary>Whether a camera of this exact name held a slot since start-up (its alerts are in the history).</summary>
    public bool HasRun(string name)
    {
        lock (_lock) return _run.Contains(name);
    }

    /// <summary>The camera that holds the slot (or held it, if removed since); null for a slot no camera took yet.</summary>
    public string? Name(int slot) => slot >= 0 && slot < Capacity ? Volatile.Read(ref _names[slot]) : null;

    /// <summary>The removed camera whose slot the slot's camera took (<see cref="Reused"/>); null for a slot it took unused.</summary>
    public string? Previous(int slot) => slot >= 0 && slot < Capacity ? Volatile.Read(ref _previous[slot]) : null;

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

    /// <summary>The names of the cameras that ran since start-up and are out of the configuration now, whether their slot
    /// is kept for them or went to another camera (what a broker that was away must still be told of).</summary>
    public IReadOnlyList<string> Removed()
    {
        lock (_lock) return _run.Where(name => IndexOf(name) < 0).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The configured cameras' slots, in slot order.</summary>
    public IReadOnlyList<int> Configured()
    {
        var slots = new List<int>(Capacity);
        for (var i = 0; i < Capacity; i++) if (IsConfigured(i)) slots.Add(i);
        return slots;
    }

    /// <summary>
    /// Puts a camera in the configuration: back in the slot it held, or in a free one (never used, or else the one its camera
    /// left longest ago, raising <see cref="Reused"/>). Returns its slot, or null when every slot holds a camera in the
    /// configuration; then nothing changes. Raises <see cref="Joined"/>.
    /// </summary>
    public int? Take(CameraOptions camera)
    {
        int slot;
        string? previous = null;
        lock (_lock)
        {
            if (SlotOf(camera.Name) is { } held)
            {
                slot = held;
            }
            else
            {
                if (_used < Capacity) slot = _used++;
                else if (LeftLongestAgo() is { } left) (slot, previous) = (left, _names[left]);
                else return null;
                Volatile.Write(ref _previous[slot], previous);
                Volatile.Write(ref _names[slot], camera.Name);
                _run.Add(camera.Name);
            }
            Volatile.Write(ref _cameras[slot], camera);
            Volatile.Write(ref _configured[slot], true);
        }
        if (previous is not null) Reused?.Invoke(slot, previous);
        Joined?.Invoke(slot);
        return slot;
    }

    /// <summary>Under the lock: the slot whose camera was removed first among those removed; null when every camera is configured.</summary>
    private int? LeftLongestAgo()
    {
        int? oldest = null;
        for (var i = 0; i < Capacity; i++)
        {
            if (!_configured[i] && (oldest is null || _leftAt[i] < _leftAt[oldest.Value])) oldest = i;
        }
        return oldest;
    }

    /// <summary>New settings of a configured camera (its regions, its capture), for whatever reads them from now on.</summary>
    public void Update(int slot, CameraOptions camera) => Volatile.Write(ref _cameras[slot], camera);

    /// <summary>Takes a camera out of the configuration; it keeps its slot for when it is put back, until a new camera needs it. Raises <see cref="Left"/>.</summary>
    public void Release(int slot)
    {
        lock (_lock)
        {
            if (!IsConfigured(slot)) return;
            Volatile.Write(ref _configured[slot], false);
            _leftAt[slot] = ++_removals;
        }
        Left?.Invoke(slot);
    }
}
