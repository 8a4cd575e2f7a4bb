namespace LineWatch.Events;

/// <summary>One alert as the operator sees it: its life so far, its latest snapshot and what the operator said about it.</summary>
public sealed record AlertRecord(string Id, string Camera, DateTimeOffset Started, DateTimeOffset? Ended, double Peak, AlertSeverity Severity,
    byte[]? Snapshot, DateTimeOffset? Acknowledged, AlertVerdict? Verdict)
{
    public bool Active => Ended is null;
}

/// <summary>
/// The recent alerts of all cameras (the newest <see cref="Capacity"/>), kept in memory for the dashboard and
/// for operator feedback: acknowledgement and a verdict. Thread-safe; records are immutable snapshots.
/// </summary>
public sealed class AlertHistory : IAlertSink
{
    public const int Capacity = 200;

    private readonly Lock _lock = new();
    private readonly LinkedList<AlertRecord> _records = [];
    private readonly Dictionary<string, LinkedListNode<AlertRecord>> _byId = [];

    /// <summary>Raised (outside the lock) with the updated record after each change.</summary>
    public event Action<AlertRecord>? Changed;

    public void OnAlert(AlertNotice notice)
    {
        var e = notice.Event;
        AlertRecord record;
        lock (_lock)
        {
            if (_byId.TryGetValue(e.Id, out var node))
            {
                var old = node.Value;
                record = old with
                {
                    Peak = Math.Max(old.Peak, e.Peak), Severity = e.Severity > old.Severity ? e.Severity : old.Severity,
                    Ended = e.Phase == AlertPhase.End ? notice.Time : null, Snapshot = notice.Snapshot ?? old.Snapshot,
                };
                node.Value = record;
            }
            else
            {
                record = new AlertRecord(e.Id, e.Camera, notice.Started, e.Phase == AlertPhase.End ? notice.Time : null, e.Peak, e.Severity, notice.Snapshot, null, null);
                _byId[e.Id] = _records.AddFirst(record);
                if (_records.Count > Capacity)
                {
                    _byId.Remove(_records.Last!.Value.Id);
                    _records.RemoveLast();
                }
            }
        }
        Changed?.Invoke(record);
    }

    /// <summary>Newest first, optionally of one camera.</summary>
    public IReadOnlyList<AlertRecord> Recent(string? camera = null, int limit = Capacity)
    {
        lock (_lock) return _records.Where(r => camera is null || r.Camera == camera).Take(limit).ToList();
    }

    public AlertRecord? Find(string id)
    {
        lock (_lock) return _byId.TryGetValue(id, out var node) ? node.Value : null;
    }

    /// <summary>Marks the alert seen by an operator; null when unknown.</summary>
    public AlertRecord? Acknowledge(string id) => Update(id, r => r with { Acknowledged = r.Acknowledged ?? DateTimeOffset.UtcNow });

    /// <summary>Records the operator's verdict; null when unknown.</summary>
    public AlertRecord? SetVerdict(string id, AlertVerdict verdict) =>
        Update(id, r => r with { Verdict = verdict, Acknowledged = r.Acknowledged ?? DateTimeOffset.UtcNow });

    private AlertRecord? Update(string id, Func<AlertRecord, AlertRecord> change)
    {
        AlertRecord record;
        lock (_lock)
        {
            if (!_byId.TryGetValue(id, out var node)) return null;
            record = node.Value = change(node.Value);
        }
        Changed?.Invoke(record);
        return record;
    }
}
