namespace LineWatch.Processing;

/// <summary>
/// The bounded queue of clips waiting for inference, shared by all cameras. When it is full, the oldest clip
/// of the camera(s) with the most clips waiting is dropped (returned to the pool and counted on that camera):
/// one fast camera cannot starve the others, and nothing stale piles up behind a slow model.
/// </summary>
public sealed class InferenceQueue
{
    private readonly Lock _lock = new();
    private readonly List<Clip> _clips;
    private readonly int _capacity;
    private readonly ClipPool _pool;
    // Per camera slot; a slot with clips in the queue has its counters (they are made before its capture starts).
    private readonly CameraStats?[] _stats;
    private readonly int[] _perCamera;
    private readonly SemaphoreSlim _available = new(0);

    public InferenceQueue(int capacity, ClipPool pool, CameraStats?[] stats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _clips = new List<Clip>(capacity);
        _pool = pool;
        _stats = stats;
        _perCamera = new int[stats.Length];
    }

    public int Count
    {
        get
        {
            lock (_lock) return _clips.Count;
        }
    }

    public void Enqueue(Clip clip)
    {
        lock (_lock)
        {
            if (_clips.Count == _capacity) DropOldestOfBusiest();
            clip.EnqueuedTicks = System.Diagnostics.Stopwatch.GetTimestamp();
            _clips.Add(clip);
            _perCamera[clip.CameraIndex]++;
            _available.Release(); // inside the lock, so the count never runs ahead of the list
        }
    }

    /// <summary>
    /// Waits for a clip, then gathers up to <paramref name="batch"/>.Length of them, waiting at most
    /// <paramref name="maxWait"/> after the first for others to join. Returns how many it took (0 if cancelled).
    /// </summary>
    public int TakeBatch(Clip[] batch, TimeSpan maxWait, CancellationToken cancellation)
    {
        try
        {
            _available.Wait(cancellation);
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        var taken = 0;
        if (TakeOldest() is { } first) batch[taken++] = first;
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(maxWait.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (taken < batch.Length)
        {
            var remaining = deadline - System.Diagnostics.Stopwatch.GetTimestamp();
            if (remaining <= 0 && _available.CurrentCount == 0) break;
            if (!_available.Wait(TimeSpan.FromSeconds(Math.Max(0, remaining) / (double)System.Diagnostics.Stopwatch.Frequency))) break;
            if (TakeOldest() is { } next) batch[taken++] = next;
        }
        return taken;
    }

    /// <summary>Returns every waiting clip to the pool (at shutdown).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var clip in _clips) _pool.Return(clip);
            _clips.Clear();
            Array.Clear(_perCamera);
        }
    }

    /// <summary>Returns the waiting clips of a camera slot to the pool (a removed camera's, when a new camera takes its slot).</summary>
    public void Forget(int camera)
    {
        lock (_lock)
        {
            for (var i = _clips.Count - 1; i >= 0; i--)
            {
                if (_clips[i].CameraIndex != camera) continue;
                _pool.Return(_clips[i]);
                _clips.RemoveAt(i);
                _perCamera[camera]--;
                // As for a drop: a consumer already holding this count finds one clip fewer, which TakeOldest allows for.
                _available.Wait(0);
            }
        }
    }

    /// <summary>Null only when a drop took the clip this caller's count was for (see DropOldestOfBusiest).</summary>
    private Clip? TakeOldest()
    {
        lock (_lock)
        {
            if (_clips.Count == 0) return null;
            var clip = _clips[0];
            _clips.RemoveAt(0);
            _perCamera[clip.CameraIndex]--;
            return clip;
        }
    }

    private void DropOldestOfBusiest()
    {
        var most = 0;
        foreach (var count in _perCamera) most = Math.Max(most, count);
        // The oldest clip among the cameras that have the most waiting: with ties (the usual case when all
        // cameras run at one rate) this rotates the drops over them instead of always hitting the first camera.
        var index = 0;
        while (_perCamera[_clips[index].CameraIndex] != most) index++;
        var dropped = _clips[index];
        _clips.RemoveAt(index);
        var busiest = dropped.CameraIndex;
        _perCamera[busiest]--;
        // Take back the dropped clip's count. If a consumer already holds it (it waited but has not taken its
        // clip yet), this fails and that consumer finds one clip fewer, which TakeOldest allows for.
        _available.Wait(0);
        _stats[busiest]!.ClipDropped();
        _pool.Return(dropped);
    }
}
