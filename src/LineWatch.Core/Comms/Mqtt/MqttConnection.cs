using System.Buffers;
using System.Text;
using LineWatch.Configuration;
using LineWatch.Processing;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// A long-lived connection to the broker (MQTTnet), kept up by its own loop: whatever ends an attempt — a lost
/// connection, a refused CONNACK, a failed TLS handshake, a host name that does not resolve — is reported with its
/// reason and tried again after a <see cref="ReconnectBackoff"/> wait (1 s doubling to 30 s). The availability topic
/// is handled here: a retained <c>offline</c> last will, a retained <c>online</c> on every (re)connect, and a
/// retained <c>offline</c> on a clean stop. Events are raised on pool threads and should be quick.
/// </summary>
public sealed class MqttConnection : IDisposable
{
    /// <summary>A received message; <paramref name="payload"/> is only valid during the call.</summary>
    public delegate void MessageHandler(string topic, ReadOnlySpan<byte> payload, bool retained);

    public const string Online = "online";
    public const string Offline = "offline";

    /// <summary>How long a clean stop waits for the broker to take <c>offline</c> (and what was queued before it).</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(3);

    private static readonly MqttClientFactory Factory = new();

    private readonly MqttOptions _options;
    private readonly string _clientId;
    private readonly string? _availabilityTopic;
    private readonly ILogger _logger;
    private readonly BrokerCertificateCheck _certificates;
    private readonly List<string> _subscriptions = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile PublishQueue? _queue;
    private long _lastId;
    private bool _disposed;

    /// <param name="availabilityTopic">Null for a client nobody needs to know the availability of (a viewer): no will, no online or offline.</param>
    public MqttConnection(MqttOptions options, string clientId, string? availabilityTopic, ILogger logger)
    {
        _options = options;
        _clientId = clientId;
        _availabilityTopic = availabilityTopic;
        _logger = logger;
        _certificates = new BrokerCertificateCheck(options);
    }

    /// <summary>Raised for every message on a subscribed topic.</summary>
    public event MessageHandler? MessageReceived;

    /// <summary>Raised on every successful (re)connect, after <c>online</c> was queued and the subscriptions were made.</summary>
    public event Action? Connected;

    /// <summary>Raised with the CONNACK's reason when the broker refuses the connection (e.g. "Not authorized").</summary>
    public event Action<string>? Refused;

    /// <summary>Raised with the reason when an established connection is lost.</summary>
    public event Action<string>? Disconnected;

    /// <summary>Raised with the reason when an attempt fails before the broker answers: DNS, TCP, TLS, a timeout, an unreadable certificate file.</summary>
    public event Action<string>? Failed;

    /// <summary>Raised with the id <see cref="Publish"/> returned when the broker acknowledged the message (PUBACK).</summary>
    public event Action<long>? Acknowledged;

    /// <summary>
    /// Raised with the id and "topic: reason" when the broker answered a message with an MQTT 5 error code (e.g. "Not
    /// authorized" by its access list): it will not take the message, so sending it again would not help.
    /// </summary>
    public event Action<long, string>? Rejected;

    public bool IsConnected => _queue is not null;

    /// <summary>Subscribes (QoS 1) on every connect; call before <see cref="Start"/>. A message's retained flag is true for
    /// a retained message replayed on subscribe and, with MQTT 5, for any message published with the retain flag.</summary>
    /// <exception cref="ArgumentException">the pattern is not a valid topic filter.</exception>
    public void Subscribe(string pattern)
    {
        ThrowIfInvalid(pattern, "topic filter", MqttTopicValidator.ThrowIfInvalidSubscribe);
        _subscriptions.Add(pattern);
    }

    /// <summary>Starts connecting in the background; an unreachable or refusing broker is retried, not an error.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_loop is not null) throw new InvalidOperationException("the MQTT connection was already started");
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>
    /// Queues a QoS 1 message and returns at once with its id, which <see cref="Acknowledged"/> reports when the broker
    /// has it; null when not connected (callers keep what must not be lost). The payload must not change afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">the topic is not a valid topic name (empty, or with a wildcard).</exception>
    public long? Publish(string topic, ReadOnlyMemory<byte> payload, bool retain)
    {
        ThrowIfInvalid(topic, "topic name", MqttTopicValidator.ThrowIfInvalid);
        if (_queue is not { } queue) return null;
        var id = Interlocked.Increment(ref _lastId);
        return queue.TryAdd(id, Message(topic, payload, retain)) ? id : null;
    }

    private static void ThrowIfInvalid(string topic, string what, Action<string> check)
    {
        try
        {
            check(topic);
        }
        catch (MqttProtocolViolationException e)
        {
            throw new ArgumentException($"'{topic}' is not a valid MQTT {what}: {e.Message}", nameof(topic), e);
        }
    }

    private static MqttApplicationMessage Message(string topic, ReadOnlyMemory<byte> payload, bool retain) => new MqttApplicationMessageBuilder()
        .WithTopic(topic).WithPayload(new ReadOnlySequence<byte>(payload)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build();

    /// <summary>A clean stop: what was queued and a retained <c>offline</c> go out, then a normal disconnect (so the will is not sent).</summary>
    public void Stop()
    {
        if (_loop is null || _stop.IsCancellationRequested) return;
        _stop.Cancel();
        if (!_loop.Wait(StopTimeout + MqttClientSettings.ConnectTimeout)) _logger.LogWarning("MQTT connection did not stop in time");
    }

    public void Dispose()
    {
        if (_disposed) return;
        Stop();
        _disposed = true;
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), TimeProvider.System);
        while (!stop.IsCancellationRequested)
        {
            await ConnectAndServeAsync(backoff, stop).ConfigureAwait(false);
            try
            {
                await Task.Delay(backoff.Next(), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection, from the attempt until it ends; told to <paramref name="backoff"/> when it is established.</summary>
    private async Task ConnectAndServeAsync(ReconnectBackoff backoff, CancellationToken stop)
    {
        // A fresh client for every attempt: nothing of an ended connection (its queue, its late events) can reach the next.
        using var client = Factory.CreateMqttClient();
        var lost = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected) lost.TrySetResult(e);
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += OnMessage;
        _certificates.TakeRejection(); // a stale reason must not explain this attempt

        MqttClientConnectResult result;
        try
        {
            var builder = MqttClientSettings.Create(_options, _clientId, _certificates);
            if (_availabilityTopic is not null)
            {
                builder.WithWillTopic(_availabilityTopic).WithWillPayload(Offline).WithWillRetain(true)
                    .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            }
            var options = builder.Build();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(MqttClientSettings.ConnectTimeout);
            result = await client.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            Raise(Failed, MqttFailure.Of(e, _options, _certificates));
            return;
        }
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            Raise(Refused, MqttFailure.Of(result));
            return;
        }
        backoff.Connected();

        var queue = new PublishQueue(client, result.ReceiveMaximum, OnAnswer);
        _queue = queue;
        try
        {
            if (_availabilityTopic is not null) Publish(_availabilityTopic, Encoding.UTF8.GetBytes(Online), retain: true);
            await SubscribeAsync(client, stop).ConfigureAwait(false);
            Raise(Connected);
            var ended = await lost.Task.WaitAsync(stop).ConfigureAwait(false);
            _queue = null;
            Raise(Disconnected, MqttFailure.Of(ended, _options, _certificates));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await SayOfflineAsync(client, queue).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Lost while subscribing, or no SUBACK in time: this client is dropped (the broker sends the will) and the loop starts over.
            Raise(Disconnected, MqttFailure.Of(e, _options, _certificates));
        }
        finally
        {
            _queue = null;
            await queue.CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A clean session forgets subscriptions, so they are made on every connect. With MQTT 5 the retain flag is passed
    /// on as published, so a command sent retained is seen as such even when it arrives live.
    /// </summary>
    private async Task SubscribeAsync(IMqttClient client, CancellationToken stop)
    {
        if (_subscriptions.Count == 0) return;
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var pattern in _subscriptions)
        {
            subscribe.WithTopicFilter(f => f.WithTopic(pattern).WithAtLeastOnceQoS().WithRetainAsPublished(_options.ProtocolVersion == "5"));
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(MqttClientSettings.ConnectTimeout);
        var result = await client.SubscribeAsync(subscribe.Build(), timeout.Token).ConfigureAwait(false);
        foreach (var item in result.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
        {
            // Not a connection failure (the connection stays up and is not retried): the broker's access list says no.
            _logger.LogError("MQTT broker refused the subscription to {Topic}: {Reason}; messages on it will not arrive",
                item.TopicFilter.Topic, MqttFailure.Reason(item.ResultCode, result.ReasonString));
        }
    }

    /// <summary>After everything queued, a retained <c>offline</c>; then a normal DISCONNECT, which tells the broker to drop the will.</summary>
    private async Task SayOfflineAsync(IMqttClient client, PublishQueue queue)
    {
        _queue = null;
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await queue.DrainAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
            if (_availabilityTopic is not null)
            {
                await client.PublishAsync(Message(_availabilityTopic, Encoding.UTF8.GetBytes(Offline), retain: true), timeout.Token).ConfigureAwait(false);
            }
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning("MQTT: could not say offline before disconnecting ({Reason}); the broker will publish the last will", MqttFailure.Of(e, _options, _certificates));
        }
    }

    private void OnAnswer(long id, string topic, MqttClientPublishResult answer)
    {
        if (answer.IsSuccess) Raise(Acknowledged, id);
        else Raise(Rejected, id, $"{topic}: {MqttFailure.Reason(answer.ReasonCode, answer.ReasonString)}");
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        if (MessageReceived is not { } handler) return Task.CompletedTask;
        var message = e.ApplicationMessage;
        try
        {
            var payload = message.Payload;
            handler(message.Topic, payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(), message.Retain);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "MQTT message handler failed on {Topic}", message.Topic);
        }
        return Task.CompletedTask;
    }

    /// <summary>A handler's exception must not end the connection loop: it is logged, and the loop goes on.</summary>
    private void Raise(Action? handler) => Guard(() => handler?.Invoke());

    private void Raise<T>(Action<T>? handler, T value) => Guard(() => handler?.Invoke(value));

    private void Raise<T1, T2>(Action<T1, T2>? handler, T1 first, T2 second) => Guard(() => handler?.Invoke(first, second));

    private void Guard(Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "MQTT event handler failed");
        }
    }
}
