using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LineWatch.Configuration;
using LineWatch.Control;
using Microsoft.Extensions.Logging;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// The command side of the MQTT contract: <c>&lt;camera&gt;/&lt;feature&gt;/set</c> messages are copied off the network
/// thread into a bounded queue (when it is full, new commands are dropped and counted: a flood must not grow
/// memory or stall the connection), validated by <see cref="MqttCommandParser"/>, applied through
/// <see cref="CameraControl"/>, and answered on <c>&lt;camera&gt;/&lt;feature&gt;/state</c> (retained). A rejected
/// command changes nothing: its reason is logged (rate-limited) and published on <c>errors</c>. The profile
/// state (<c>&lt;camera&gt;/profile/state</c>) follows every change of the camera's profile, whoever made it. A camera
/// added to the configuration gets its states at once; a removed one has them cleared (an empty retained message), at
/// once or on the next connect.
/// </summary>
public sealed class MqttCommandListener : IDisposable
{
    private const int QueueCapacity = 256;
    private const int LoggedPerMinute = 10;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly MqttPublisher _publisher;
    private readonly CameraControl _control;
    private readonly CameraSlots _slots;
    private readonly MqttCommandParser _parser;
    private readonly ILogger _logger;
    private readonly Channel<Received> _queue = Channel.CreateBounded<Received>(new BoundedChannelOptions(QueueCapacity)
    {
        // Wait, not DropWrite: with DropWrite TryWrite reports success for the item it drops, and drops must be counted.
        // The network thread never waits: it only calls TryWrite, which fails when the queue is full.
        FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true,
    });
    private readonly CancellationTokenSource _stop = new();
    private readonly GiveFeedbackResult?[] _lastFeedback;
    private Task? _worker;
    private long _applied, _rejected, _dropped;
    private DateTime _logWindowStart = DateTime.MinValue;
    private int _loggedInWindow, _silencedInWindow;

    private readonly record struct Received(string Topic, byte[] Payload, int Length, bool Retained);

    private sealed record GiveFeedbackResult(string AlertId, string Verdict, string Result, DateTimeOffset Time);

    public MqttCommandListener(MqttPublisher publisher, CameraControl control, CameraSlots slots, ILogger<MqttCommandListener> logger)
    {
        _publisher = publisher;
        _control = control;
        _slots = slots;
        _logger = logger;
        _parser = new MqttCommandParser(publisher.Topics, control.IndexOf);
        _lastFeedback = new GiveFeedbackResult?[slots.Capacity];
    }

    public long Applied => Interlocked.Read(ref _applied);
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Commands dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Subscribes and starts handling; call before the publisher connects.</summary>
    public void Start()
    {
        _publisher.Subscribe(_publisher.Topics.AllCommands, OnMessage);
        _publisher.Connected += PublishAllStates;
        _slots.Joined += PublishStates;
        _slots.Left += camera => ClearStates(_slots.Name(camera)!);
        // The last feedback answer of a removed camera is not the new camera's in its slot.
        _slots.Reused += (camera, _) => Volatile.Write(ref _lastFeedback[camera], null);
        // Feedback is answered to the MQTT command that gave it (in Handle); other changes may come from the dashboard too.
        _control.Changed += (camera, feature) =>
        {
            if (feature != CameraFeature.Feedback) PublishState(camera, feature);
        };
        _worker = Task.Run(Work);
    }

    /// <summary>On the network thread: copy at most what the parser will read, and move on.</summary>
    private void OnMessage(string topic, ReadOnlySpan<byte> payload, bool retained)
    {
        var kept = payload[..Math.Min(payload.Length, MqttCommandParser.MaxPayloadBytes)].ToArray();
        if (!_queue.Writer.TryWrite(new Received(topic, kept, payload.Length, retained))) Interlocked.Increment(ref _dropped);
    }

    private async Task Work()
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    Handle(message);
                }
                catch (Exception e)
                {
                    // A command must never take the listener down; the next one is handled as usual.
                    Reject(message.Topic, $"internal error: {e.Message}");
                    _logger.LogError(e, "Command on {Topic} failed", MqttCommandParser.Printable(message.Topic));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Handle(Received message)
    {
        var parsed = _parser.Parse(message.Topic, message.Payload, message.Length, message.Retained);
        if (parsed.Command is not { } command)
        {
            Reject(message.Topic, parsed.Error!);
            return;
        }
        var outcome = _control.Apply(command with { By = "mqtt" });
        if (!outcome.Applied)
        {
            Reject(message.Topic, outcome.Detail);
            return;
        }
        Interlocked.Increment(ref _applied);
        if (command is GiveFeedback feedback)
        {
            _lastFeedback[command.Camera] = new GiveFeedbackResult(feedback.AlertId, Events.AlertFeedback.Name(feedback.Verdict), outcome.Detail, DateTimeOffset.UtcNow);
            PublishState(command.Camera, CameraFeature.Feedback);
        }
        _logger.LogInformation("Command on {Topic} applied: {Detail}", message.Topic, outcome.Detail);
    }

    private void Reject(string topic, string reason)
    {
        Interlocked.Increment(ref _rejected);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { topic = topic.Length > 256 ? topic[..256] : topic, error = reason, time = DateTimeOffset.UtcNow }, Json);
        _publisher.PublishTransient(_publisher.Topics.Errors, payload);
        LogRejection(topic, reason);
    }

    /// <summary>Each rejection is logged, up to <see cref="LoggedPerMinute"/> a minute; beyond that a flood is summarised, not written line by line.</summary>
    private void LogRejection(string topic, string reason)
    {
        var now = DateTime.UtcNow;
        if (now - _logWindowStart >= TimeSpan.FromMinutes(1))
        {
            if (_silencedInWindow > 0) _logger.LogWarning("{Count} more MQTT command(s) rejected in the last minute (not logged one by one)", _silencedInWindow);
            _logWindowStart = now;
            _loggedInWindow = _silencedInWindow = 0;
        }
        if (_loggedInWindow++ < LoggedPerMinute) _logger.LogWarning("MQTT command on {Topic} rejected: {Reason}", MqttCommandParser.Printable(topic), reason);
        else _silencedInWindow++;
    }

    private void PublishAllStates()
    {
        foreach (var camera in _slots.Configured()) PublishStates(camera);
        // A camera removed while the broker was away has its states cleared now (also once its slot went to another).
        foreach (var removed in _slots.Removed()) ClearStates(removed);
    }

    private void PublishStates(int camera)
    {
        PublishState(camera, CameraFeature.Enabled);
        PublishState(camera, CameraFeature.Learn);
        PublishState(camera, CameraFeature.Profile);
        PublishState(camera, CameraFeature.Feedback);
    }

    private void ClearStates(string name)
    {
        foreach (var feature in Enum.GetValues<CameraFeature>()) _publisher.PublishState(_publisher.Topics.FeatureState(name, feature), []);
    }

    private void PublishState(int camera, CameraFeature feature)
    {
        // A change that comes in after the camera left (its profile file touched, a learning session filling up) is not published.
        if (!_slots.IsConfigured(camera)) return;
        byte[]? payload = feature switch
        {
            CameraFeature.Enabled => Encoding.UTF8.GetBytes(_control.IsEnabled(camera) ? "ON" : "OFF"),
            CameraFeature.Learn => LearnState(camera),
            CameraFeature.Profile => ProfileState(camera),
            _ => _lastFeedback[camera] is { } last ? JsonSerializer.SerializeToUtf8Bytes(last, Json) : null,
        };
        if (payload is not null) _publisher.PublishState(_publisher.Topics.FeatureState(_control.Name(camera), feature), payload);
    }

    private byte[] LearnState(int camera)
    {
        var status = _control.Learning(camera);
        return JsonSerializer.SerializeToUtf8Bytes(new { state = status.Learning ? "learning" : "idle", windows = status.Windows, started = status.Started, last_outcome = status.LastOutcome }, Json);
    }

    /// <summary>The current version in full and the kept ones in brief; null when they cannot be read (the next change tries again).</summary>
    private byte[]? ProfileState(int camera)
    {
        var name = _control.Name(camera);
        try
        {
            var versions = _control.Versions.List(name);
            var current = _control.Versions.Current(name);
            return JsonSerializer.SerializeToUtf8Bytes(new
            {
                current = current?.Id, version = current,
                versions = versions.Select(v => new { id = v.Id, created = v.Created, source = v.Source, by = v.By, detail = v.Detail, alert_id = v.AlertId }),
            }, Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Camera {Camera}: profile state not published: {Reason}", name, e.Message);
            return null;
        }
    }

    /// <summary>Idempotent: the host stops it, then the container disposes it.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _queue.Writer.TryComplete();
        try
        {
            _worker?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
    }
}
