namespace LineWatch.Events;

/// <summary>
/// The highest-scoring windows of the most recent alerts, kept so that an operator's "false alarm" can teach the
/// camera's profile. Holds at most <c>alertsKept</c> alerts of <c>windowsPerAlert</c> windows each; a new alert
/// takes the place of the oldest and reuses its feature arrays, so keeping a window copies into memory allocated
/// once instead of allocating a copy per window (a window's patch tokens are a large object, which only a full
/// collection frees: such copies were most of what the agent allocated, docs/benchmarks.md "Soak"). Safe to use
/// from several threads.
/// </summary>
internal sealed class KeptWindows(int alertsKept, int windowsPerAlert)
{
    private readonly KeptAlert?[] _alerts = new KeptAlert?[alertsKept];
    private readonly Stack<KeptAlert> _spare = new();
    private readonly Lock _lock = new();
    private int _oldest;

    /// <summary>One alert's kept windows: while taken (<see cref="Take"/>) it belongs to the taker alone.</summary>
    public sealed class KeptAlert(int windows)
    {
        private readonly double[] _scores = new double[windows];
        private readonly float[][] _tokens = new float[windows][];
        private readonly float[][] _signals = new float[windows][];

        public string? AlertId { get; private set; }
        public int Camera { get; private set; }
        public int Count { get; private set; }

        public ReadOnlySpan<float> Tokens(int index) => _tokens[index];
        public ReadOnlySpan<float> Signals(int index) => _signals[index];

        internal void Reset(string alertId, int camera) => (AlertId, Camera, Count) = (alertId, camera, 0);

        internal void Clear() => (AlertId, Count) = (null, 0);

        /// <summary>Keeps the window if there is room or it scores above the lowest kept, which it then replaces.</summary>
        internal void Offer(double score, ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals)
        {
            int slot;
            if (Count < _scores.Length)
            {
                slot = Count++;
            }
            else
            {
                slot = 0;
                for (var i = 1; i < Count; i++)
                {
                    if (_scores[i] < _scores[slot]) slot = i;
                }
                if (score <= _scores[slot]) return;
            }
            _scores[slot] = score;
            tokens.CopyTo(Sized(ref _tokens[slot], tokens.Length));
            signals.CopyTo(Sized(ref _signals[slot], signals.Length));
        }

        /// <summary>The window sizes are the model's, so an array is made once per slot (again only if the model changes).</summary>
        private static float[] Sized(ref float[] array, int length)
        {
            if (array is null || array.Length != length) array = new float[length];
            return array;
        }
    }

    /// <summary>Keeps a window of the active alert <paramref name="alertId"/> if it is among the alert's highest-scoring.</summary>
    public void Keep(string alertId, int camera, double score, ReadOnlySpan<float> tokens, ReadOnlySpan<float> signals)
    {
        lock (_lock)
        {
            var alert = Find(alertId);
            if (alert is null)
            {
                // Alerts start in time order, so the slot after the newest holds the oldest.
                alert = _alerts[_oldest] ??= _spare.Count > 0 ? _spare.Pop() : new KeptAlert(windowsPerAlert);
                alert.Reset(alertId, camera);
                _oldest = (_oldest + 1) % _alerts.Length;
            }
            alert.Offer(score, tokens, signals);
        }
    }

    /// <summary>
    /// Takes an alert's windows out (they are no longer kept for it); null when the alert is unknown or no longer
    /// kept. Hand them back with <see cref="Return"/> once used, so their memory serves later alerts.
    /// </summary>
    public KeptAlert? Take(string alertId)
    {
        lock (_lock)
        {
            for (var i = 0; i < _alerts.Length; i++)
            {
                if (_alerts[i] is not { } alert || alert.AlertId != alertId) continue;
                _alerts[i] = null;
                return alert;
            }
            return null;
        }
    }

    public void Return(KeptAlert alert)
    {
        lock (_lock)
        {
            alert.Clear();
            _spare.Push(alert);
        }
    }

    /// <summary>Drops the kept windows of a camera slot's alerts (its camera was removed and a new one took the slot).</summary>
    public void Forget(int camera)
    {
        lock (_lock)
        {
            for (var i = 0; i < _alerts.Length; i++)
            {
                if (_alerts[i] is not { } alert || alert.Camera != camera) continue;
                _alerts[i] = null;
                alert.Clear();
                _spare.Push(alert);
            }
        }
    }

    private KeptAlert? Find(string alertId)
    {
        foreach (var alert in _alerts)
        {
            if (alert?.AlertId == alertId) return alert;
        }
        return null;
    }
}
