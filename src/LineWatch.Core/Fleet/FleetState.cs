using System.Text.Json;

namespace LineWatch.Fleet;

/// <summary>One agent as the central broker shows it.</summary>
/// <param name="Online">Its retained status says online and, when it reaches the broker through an uplink bridge, the bridge is connected.</param>
public sealed record FleetAgent(string Id, bool Online, string? Status, string? Uplink, string? Version, double? UptimeSeconds, string? ExecutionProvider,
    double? InferenceP50Ms, double? InferenceP99Ms, long? OutboxPending, DateTimeOffset LastSeen, IReadOnlyList<FleetCamera> Cameras,
    IReadOnlyList<FleetAlert> LastAlerts);

public sealed record FleetCamera(string Name, string State, double? Score, string? AlertId, double? AnalysisFps, DateTimeOffset? LastFrameTime);

public sealed record FleetAlert(string Id, string Camera, string Type, DateTimeOffset Time, double Peak, string Severity);

public sealed record FleetSnapshot(DateTimeOffset Time, IReadOnlyList<FleetAgent> Agents, long Ignored);

/// <summary>
/// What every agent under one topic prefix has told the central broker: the retained status (online, or the last
/// will's offline), the uplink bridge's retained connection state, the retained camera states and statistics, and
/// the latest alert events (a camera whose state is cleared, an empty retained message, is no longer listed). Events are de-duplicated by (id, type, time), since an uplink bridge delivers at least
/// once. A message that is not what the MQTT contract says is counted in <see cref="FleetSnapshot.Ignored"/> and
/// changes nothing.
/// </summary>
public sealed class FleetState(string prefix, TimeProvider clock)
{
    /// <summary>Alert events kept per agent, newest first.</summary>
    public const int AlertsPerAgent = 20;

    private readonly string _prefix = prefix.TrimEnd('/') + "/";
    private readonly Dictionary<string, AgentRecord> _agents = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _ignored;

    /// <summary>The subscriptions that feed <see cref="Apply"/>.</summary>
    public IEnumerable<string> Topics =>
        [$"{_prefix}+/status", $"{_prefix}+/uplink", $"{_prefix}+/stats", $"{_prefix}+/+/state", $"{_prefix}+/+/events"];

    public void Apply(string topic, ReadOnlySpan<byte> payload)
    {
        if (!topic.StartsWith(_prefix, StringComparison.Ordinal)) return;
        var levels = topic[_prefix.Length..].Split('/');
        try
        {
            lock (_lock)
            {
                switch (levels)
                {
                    case [var agent, "status"]:
                        Agent(agent).Status = Text(payload);
                        break;
                    case [var agent, "uplink"]:
                        Agent(agent).Uplink = Text(payload);
                        break;
                    // Parsed before the agent is looked up, so a malformed message does not make an agent appear.
                    case [var agent, "stats"]:
                        var stats = Parse(payload);
                        Agent(agent).Stats = stats;
                        break;
                    // An empty retained state is how an agent takes a camera removed from its configuration off the broker.
                    case [var agent, var camera, "state"] when payload.IsEmpty:
                        if (_agents.TryGetValue(agent, out var known)) known.Cameras.Remove(camera);
                        break;
                    case [var agent, var camera, "state"]:
                        var state = Camera(camera, Parse(payload));
                        Agent(agent).Cameras[camera] = state;
                        break;
                    case [var agent, var camera, "events"]:
                        var alert = Alert(camera, Parse(payload));
                        Agent(agent).Remember(alert);
                        break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            Interlocked.Increment(ref _ignored);
        }
    }

    public FleetSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new FleetSnapshot(clock.GetUtcNow(), [.. _agents.Values.OrderBy(a => a.Id, StringComparer.Ordinal).Select(a => a.View())],
                Interlocked.Read(ref _ignored));
        }
    }

    private AgentRecord Agent(string id)
    {
        if (!_agents.TryGetValue(id, out var agent)) _agents[id] = agent = new AgentRecord(id);
        agent.LastSeen = clock.GetUtcNow();
        return agent;
    }

    private static string Text(ReadOnlySpan<byte> payload) => System.Text.Encoding.UTF8.GetString(payload);

    private static JsonElement Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        var root = JsonElement.ParseValue(ref reader);
        return root.ValueKind == JsonValueKind.Object ? root : throw new JsonException("not a JSON object");
    }

    private static FleetCamera Camera(string name, JsonElement state) => new(name, state.GetProperty("state").GetString()!, Number(state, "score"),
        String(state, "alert_id"), Number(state, "analysis_fps"), state.TryGetProperty("last_frame_time", out var t) && t.ValueKind == JsonValueKind.String ? t.GetDateTimeOffset() : null);

    private static FleetAlert Alert(string camera, JsonElement e) => new(e.GetProperty("id").GetString()!, camera, e.GetProperty("type").GetString()!,
        e.GetProperty("time").GetDateTimeOffset(), e.GetProperty("peak").GetDouble(), e.GetProperty("severity").GetString()!);

    private static double? Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string? String(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private sealed class AgentRecord(string id)
    {
        private readonly List<FleetAlert> _alerts = [];

        public string Id => id;
        public string? Status { get; set; }
        public string? Uplink { get; set; }
        public JsonElement? Stats { get; set; }
        public DateTimeOffset LastSeen { get; set; }
        public SortedDictionary<string, FleetCamera> Cameras { get; } = new(StringComparer.Ordinal);

        public void Remember(FleetAlert alert)
        {
            if (_alerts.Contains(alert)) return;
            _alerts.Add(alert);
            _alerts.Sort((a, b) => b.Time.CompareTo(a.Time));
            if (_alerts.Count > AlertsPerAgent) _alerts.RemoveAt(_alerts.Count - 1);
        }

        public FleetAgent View()
        {
            var stats = Stats;
            double? Stat(string name) => stats is { } s ? Number(s, name) : null;
            return new FleetAgent(id, Status == "online" && Uplink != "0", Status, Uplink, stats is { } v ? String(v, "version") : null, Stat("uptime_seconds"),
                stats is { } p ? String(p, "execution_provider") : null, Stat("inference_batch_ms_p50"), Stat("inference_batch_ms_p99"),
                Stat("outbox_pending") is { } pending ? (long)pending : null, LastSeen, [.. Cameras.Values], [.. _alerts]);
        }
    }
}
