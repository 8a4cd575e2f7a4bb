using System.Text.Json;
using System.Text.Json.Serialization;
using LineWatch.Configuration;
using LineWatch.Events;
using Microsoft.Extensions.Logging;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Publishes alert events (QoS 1) and the latest alert's snapshot (retained) through the durable outbox:
/// each message is on disk before it is sent and leaves the outbox only when the broker acknowledges it;
/// after a reconnect or a restart whatever is pending is sent again, in order. Consumers de-duplicate by the
/// event's id and phase.
/// </summary>
public sealed class MqttPublisher : IAlertSink, IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly MqttConnection _connection;
    private readonly DurableOutbox _outbox;
    private readonly Topics _topics;
    private readonly string _agent;
    private readonly string _model;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, long> _inFlight = [];
    private readonly HashSet<long> _sent = [];

    /// <param name="model">Identifies the model in events, e.g. "videomambapro tiny T=8 112".</param>
    public MqttPublisher(AgentOptions options, string model, ILogger<MqttPublisher> logger)
    {
        _agent = options.AgentId;
        _model = model;
        _logger = logger;
        _topics = new Topics(options.Mqtt.TopicPrefix, options.AgentId);
        _outbox = new DurableOutbox(Path.Combine(options.DataDir, "outbox"), capacity: 10_000);
        if (_outbox.UnreadableLines > 0) _logger.LogWarning("MQTT outbox: {Count} damaged line(s) skipped", _outbox.UnreadableLines);
        _connection = new MqttConnection(options.Mqtt, options.Mqtt.ClientId.Length > 0 ? options.Mqtt.ClientId : options.AgentId, _topics.Status, logger);
        _connection.Connected += () =>
        {
            _logger.LogInformation("MQTT connected to {Host}:{Port}; {Pending} message(s) pending", options.Mqtt.Host, options.Mqtt.Port, _outbox.PendingCount);
            Resend();
            Connected?.Invoke();
        };
        // Every failed attempt is logged: with the backoff that is at most two lines a minute once an outage lasts.
        _connection.Refused += reason => _logger.LogError("MQTT broker {Host}:{Port} refused the connection: {Reason}; retrying", options.Mqtt.Host, options.Mqtt.Port, reason);
        _connection.Disconnected += reason => _logger.LogWarning("MQTT connection lost ({Reason}); reconnecting", reason);
        _connection.Failed += reason => _logger.LogError("MQTT connection to {Host}:{Port} failed: {Reason}; retrying", options.Mqtt.Host, options.Mqtt.Port, reason);
        _connection.Acknowledged += OnAcknowledged;
        _connection.Rejected += OnRejected;
    }

    public int Pending => _outbox.PendingCount;
    public long Dropped => _outbox.Dropped;
    public bool IsConnected => _connection.IsConnected;

    /// <summary>Raised on every (re)connect, after the backlog was handed to the broker: time to publish current states.</summary>
    public event Action? Connected;

    /// <summary>Subscribes on every connect; messages arrive on the network thread. Call before <see cref="Start"/>.</summary>
    public void Subscribe(string pattern, MqttConnection.MessageHandler handler)
    {
        _connection.Subscribe(pattern);
        _connection.MessageReceived += handler;
    }

    public void Start() => _connection.Start();

    public Topics Topics => _topics;

    /// <summary>
    /// State that the next report supersedes (camera state, statistics): published retained at QoS 1 when
    /// connected, and not kept otherwise — unlike events, a stale state is worth nothing.
    /// </summary>
    public bool PublishState(string topic, byte[] payload) => _connection.Publish(topic, payload, retain: true) is not null;

    /// <summary>A reply that only matters to whoever listens now (command errors): QoS 1, not retained, not kept.</summary>
    public bool PublishTransient(string topic, byte[] payload) => _connection.Publish(topic, payload, retain: false) is not null;

    public void OnAlert(AlertNotice notice)
    {
        var e = notice.Event;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new EventPayload(e.Id, e.Phase.ToString().ToLowerInvariant(), _agent, e.Camera,
            notice.Started, notice.Time, e.Phase == AlertPhase.End ? notice.Time : null, Math.Round(e.Score, 3), Math.Round(e.Peak, 3), 1.0,
            e.Severity.ToString().ToLowerInvariant(), _model, notice.Snapshot is null ? null : _topics.Snapshot(e.Camera)), Json);
        Put(_topics.Events(e.Camera), payload, retain: false, e);
        if (notice.Snapshot is { } jpeg) Put(_topics.Snapshot(e.Camera), jpeg, retain: true, e);
        Send();
    }

    /// <summary>
    /// A full disk must not hold an alert back: the outbox keeps a message it could not write in memory, and
    /// it is sent with the others. Only its survival of an agent restart is lost, which is worth an error.
    /// </summary>
    private void Put(string topic, byte[] payload, bool retain, AlertEvent alert)
    {
        try
        {
            _outbox.Put(topic, payload, retain);
        }
        catch (IOException ex)
        {
            _logger.LogError("Alert {Id} on {Camera}: {Topic} could not be written to the outbox ({Reason}); it is sent from memory, and would be lost if the agent restarted before the broker has it",
                alert.Id, alert.Camera, topic, ex.Message);
        }
    }

    private sealed record EventPayload(string Id, string Type, string Agent, string Camera, DateTimeOffset StartTime, DateTimeOffset Time,
        DateTimeOffset? EndTime, double Score, double Peak, double Threshold, string Severity, string Model, string? SnapshotTopic);

    /// <summary>After a (re)connect nothing earlier is in flight any more (clean session): send all that is pending.</summary>
    private void Resend()
    {
        lock (_lock)
        {
            _inFlight.Clear();
            _sent.Clear();
        }
        Send();
    }

    private void Send()
    {
        lock (_lock)
        {
            foreach (var entry in _outbox.Pending())
            {
                if (_sent.Contains(entry.Sequence)) continue;
                if (_connection.Publish(entry.Topic, entry.Payload, entry.Retain) is not { } id) return; // offline: stays in the outbox
                _inFlight[id] = entry.Sequence;
                _sent.Add(entry.Sequence);
            }
        }
    }

    /// <summary>
    /// The broker will not take the message (MQTT 5, e.g. its access list refuses the topic): sending it again would be
    /// refused again, so it leaves the outbox like a delivered one, with an error naming what was lost.
    /// </summary>
    private void OnRejected(long id, string reason)
    {
        _logger.LogError("MQTT broker refused the message to {Refusal}; it is dropped, not sent again", reason);
        OnAcknowledged(id);
    }

    private void OnAcknowledged(long id)
    {
        lock (_lock)
        {
            if (!_inFlight.Remove(id, out var sequence)) return; // state and availability messages are not in the outbox
            _sent.Remove(sequence);
            try
            {
                _outbox.Acknowledge(sequence);
            }
            catch (IOException e)
            {
                // Delivered, but the disk (full?) did not take the note: after a restart it would be sent once more,
                // which consumers de-duplicate by id. Nothing is lost, so a warning, not an error.
                _logger.LogWarning("MQTT outbox: delivery of message {Sequence} could not be recorded ({Reason}); it may be sent again after a restart", sequence, e.Message);
            }
        }
    }

    /// <summary>Clean stop: retained offline, disconnect; what is still pending stays on disk for the next start.</summary>
    public void Stop() => _connection.Stop();

    public void Dispose()
    {
        _connection.Dispose();
        _outbox.Dispose();
    }
}
