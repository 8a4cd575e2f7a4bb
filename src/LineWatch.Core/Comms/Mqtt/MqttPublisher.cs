using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Publishes alert events (QoS 1) and the latest alert's snapshot (retained) from the <see cref="Outbox"/>: the
/// <see cref="AlertJournal"/> queues them in the database, and they leave it only when the broker acknowledges them.
/// One sender task reads the outbox in order and keeps at most <see cref="Window"/> of its messages unacknowledged,
/// so a backlog of thousands after an outage is streamed from the database, not copied into memory, and no caller
/// ever waits for the network or the disk. Each pending message is sent once per connection; after a reconnect or a
/// restart the pending ones are sent again from the first, in order. Consumers de-duplicate by the event's id and type.
/// </summary>
public sealed class MqttPublisher : IAlertOutbox, IDisposable
{
    /// <summary>Messages kept at most (in the database, or in memory when it cannot be written); the oldest are dropped beyond.</summary>
    public const int Capacity = 10_000;

    /// <summary>Outbox messages handed to the connection and not yet acknowledged, at most.</summary>
    internal const int Window = 100;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly MqttConnection _connection;
    private readonly Outbox _outbox;
    private readonly Topics _topics;
    private readonly string _agent;
    private readonly string _model;
    private readonly ILogger _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;

    // What this connection was given, under _lock: the outbox's rows up to _cursor; the connection's ids of those not yet
    // acknowledged; rows acknowledged but not yet deleted; messages the database could not take.
    private readonly Lock _lock = new();
    private bool _live; // between this publisher's start-over on a connect and the loss of that connection
    private long _cursor;
    private readonly Dictionary<long, InFlight> _inFlight = [];
    private int _rowsInFlight;
    private readonly HashSet<long> _acknowledged = [];
    private readonly LinkedList<Unsaved> _unsaved = [];
    private long _unsavedDropped;
    private bool _deleteFailing;

    /// <summary>An outbox row (<paramref name="Sequence"/>) or a message only in memory (<paramref name="Memory"/>).</summary>
    private readonly record struct InFlight(long Sequence, LinkedListNode<Unsaved>? Memory);

    private sealed class Unsaved(OutboxMessage message)
    {
        public OutboxMessage Message { get; } = message;
        public bool Sent { get; set; }
    }

    /// <param name="model">Identifies the model in events, e.g. "videomambapro tiny T=8 112".</param>
    public MqttPublisher(AgentOptions options, string model, AgentDatabase database, ILogger<MqttPublisher> logger)
    {
        _agent = options.AgentId;
        _model = model;
        _logger = logger;
        _topics = new Topics(options.Mqtt.TopicPrefix, options.AgentId);
        _outbox = new Outbox(database, Capacity);
        if (_outbox.ImportLegacyLog(options.DataDir) is var imported and > 0)
        {
            _logger.LogInformation("MQTT outbox: {Count} pending message(s) imported from the old outbox.log into {Database}", imported, database.Path);
        }
        _connection = new MqttConnection(options.Mqtt, options.Mqtt.ClientId.Length > 0 ? options.Mqtt.ClientId : options.AgentId, _topics.Status, logger);
        _connection.Connected += () =>
        {
            _logger.LogInformation("MQTT connected to {Host}:{Port}; {Pending} message(s) pending", options.Mqtt.Host, options.Mqtt.Port, Pending);
            StartOver();
            Connected?.Invoke();
        };
        // Every failed attempt is logged: with the backoff that is at most two lines a minute once an outage lasts.
        _connection.Refused += reason => _logger.LogError("MQTT broker {Host}:{Port} refused the connection: {Reason}; retrying", options.Mqtt.Host, options.Mqtt.Port, reason);
        _connection.Disconnected += reason =>
        {
            lock (_lock) _live = false;
            _logger.LogWarning("MQTT connection lost ({Reason}); reconnecting", reason);
        };
        _connection.Failed += reason => _logger.LogError("MQTT connection to {Host}:{Port} failed: {Reason}; retrying", options.Mqtt.Host, options.Mqtt.Port, reason);
        _connection.Acknowledged += OnAcknowledged;
        _connection.Rejected += OnRejected;
        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Messages waiting for the broker's acknowledgement (in the database and, when it could not be written, in memory).</summary>
    public int Pending
    {
        get
        {
            lock (_lock) return _outbox.PendingCount + _unsaved.Count;
        }
    }

    /// <summary>Messages dropped because the outbox was full, since this process started.</summary>
    public long Dropped => _outbox.Dropped + Interlocked.Read(ref _unsavedDropped);

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Raised on every (re)connect, when the pending messages start going out again: time to publish current states.</summary>
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

    public void Queue(DatabaseWrite write, AlertNotice notice)
    {
        foreach (var message in Messages(notice)) _outbox.Put(write, message);
    }

    public void QueueUnsaved(AlertNotice notice)
    {
        lock (_lock)
        {
            foreach (var message in Messages(notice))
            {
                if (_unsaved.Count >= Capacity)
                {
                    _unsaved.RemoveFirst();
                    _unsavedDropped++;
                }
                _unsaved.AddLast(new Unsaved(message));
            }
        }
    }

    public void Send() => _wake.Writer.TryWrite(true);

    /// <summary>The event (and, for a start or update, its snapshot), as published.</summary>
    private IEnumerable<OutboxMessage> Messages(AlertNotice notice)
    {
        var e = notice.Event;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new EventPayload(e.Id, e.Phase.ToString().ToLowerInvariant(), _agent, e.Camera,
            notice.Started, notice.Time, e.Phase == AlertPhase.End ? notice.Time : null, Math.Round(e.Score, 3), Math.Round(e.Peak, 3), 1.0,
            e.Severity.ToString().ToLowerInvariant(), _model, notice.Snapshot is null ? null : _topics.Snapshot(e.Camera), notice.Clip), Json);
        yield return new OutboxMessage(_topics.Events(e.Camera), payload, Retain: false);
        if (notice.Snapshot is { } jpeg) yield return new OutboxMessage(_topics.Snapshot(e.Camera), jpeg, Retain: true);
    }

    private sealed record EventPayload(string Id, string Type, string Agent, string Camera, DateTimeOffset StartTime, DateTimeOffset Time,
        DateTimeOffset? EndTime, double Score, double Peak, double Threshold, string Severity, string Model, string? SnapshotTopic,
        string? Clip);

    /// <summary>A new connection (clean session): nothing earlier is in flight any more, everything pending goes again from the first.</summary>
    private void StartOver()
    {
        lock (_lock)
        {
            _live = true;
            _cursor = 0;
            _inFlight.Clear();
            _rowsInFlight = 0;
            foreach (var message in _unsaved) message.Sent = false;
        }
        Send();
    }

    /// <summary>The sender: on every wake-up, records the acknowledgements (one transaction), then tops the window up.</summary>
    private async Task SendLoopAsync()
    {
        var reader = _wake.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                reader.TryRead(out _);
                try
                {
                    DeleteAcknowledged();
                    TopUp();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database could not be read (an I/O error) or worse: try again shortly rather than stall until the next event.
                    _logger.LogError("MQTT outbox: pending messages could not be sent ({Reason}); retrying", e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                    Send();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed
        }
    }

    private void DeleteAcknowledged()
    {
        long[] batch;
        lock (_lock) batch = [.. _acknowledged];
        if (batch.Length == 0) return;
        try
        {
            _outbox.Acknowledge(batch);
        }
        catch (SqliteException e)
        {
            // Delivered, but the disk (full?) did not take the note: kept in memory and tried again with the next batch. Only a
            // restart before that succeeds sends them once more, which consumers de-duplicate by id: a warning, not an error.
            lock (_lock)
            {
                if (!_deleteFailing) _logger.LogWarning("MQTT outbox: delivery of {Count} message(s) could not be recorded ({Reason}); they may be sent again after a restart", batch.Length, e.Message);
                _deleteFailing = true;
            }
            return;
        }
        lock (_lock)
        {
            _acknowledged.ExceptWith(batch);
            _deleteFailing = false;
        }
    }

    /// <summary>Hands the connection what it has not had yet, up to <see cref="Window"/> unacknowledged outbox messages.</summary>
    private void TopUp()
    {
        lock (_lock)
        {
            // A new connection takes messages from its start-over on: what went to it before would be sent to it twice.
            if (!_live) return;
            for (var node = _unsaved.First; node is not null; node = node.Next)
            {
                if (node.Value.Sent) continue;
                if (Publish(node.Value.Message) is not { } id) return;
                node.Value.Sent = true;
                _inFlight[id] = new InFlight(0, node);
            }
            while (_rowsInFlight < Window)
            {
                var entries = _outbox.After(_cursor, Window - _rowsInFlight);
                if (entries.Count == 0) return;
                foreach (var entry in entries)
                {
                    if (!_acknowledged.Contains(entry.Sequence))
                    {
                        if (Publish(new OutboxMessage(entry.Topic, entry.Payload, entry.Retain)) is not { } id) return; // offline: it waits in the outbox
                        _inFlight[id] = new InFlight(entry.Sequence, null);
                        _rowsInFlight++;
                    }
                    _cursor = entry.Sequence;
                }
            }
        }
    }

    private long? Publish(OutboxMessage message) => _connection.Publish(message.Topic, message.Payload, message.Retain);

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
            if (!_inFlight.Remove(id, out var message)) return; // state and availability messages are not in the outbox
            if (message.Memory is { } node)
            {
                if (node.List is not null) _unsaved.Remove(node);
            }
            else
            {
                _acknowledged.Add(message.Sequence);
                _rowsInFlight--;
            }
        }
        Send();
    }

    /// <summary>Clean stop: retained offline, disconnect; what is still pending stays in the database for the next start.</summary>
    public void Stop() => _connection.Stop();

    public void Dispose()
    {
        _connection.Dispose();
        _stop.Cancel();
        _sender.Wait(TimeSpan.FromSeconds(5));
        DeleteAcknowledged(); // what the broker already has need not be sent again after a restart
        _stop.Dispose();
    }
}
