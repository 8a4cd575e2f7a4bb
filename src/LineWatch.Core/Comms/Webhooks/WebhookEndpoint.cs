using System.Net.Http.Headers;
using System.Threading.Channels;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Diagnostics;
using LineWatch.Processing;
using LineWatch.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LineWatch.Comms.Webhooks;

/// <summary>
/// One webhook URL and its queue in the <see cref="Outbox"/>: one sender task POSTs the queue's oldest event, and deletes
/// it only once the URL answered 2xx; anything else (an error status, no answer within the timeout, no connection, an
/// unexpected error, which is also logged) is tried again after a backoff of 1 s, 2 s, 4 s … up to
/// <see cref="WebhookOptions.MaxBackoffSeconds"/>. So events arrive in order, at least once: a crash after the POST and
/// before the delete sends that one again, with the same <see cref="DeliveryHeader"/>, by which a receiver drops the
/// repeat. Events the database could not take (a full disk) wait in memory and go first.
/// </summary>
public sealed class WebhookEndpoint : IDisposable
{
    /// <summary>Deliveries kept at most per webhook; the oldest are dropped beyond (a receiver gone for weeks must not fill the disk).</summary>
    public const int Capacity = 10_000;

    /// <summary>A delivery's id, the same on every attempt and after a restart: <c>AGENT-SEQUENCE</c> (or <c>AGENT-m-GUID</c> when only in memory).</summary>
    public const string DeliveryHeader = "X-LineWatch-Delivery";

    private readonly WebhookOptions _options;
    private readonly WebhookUrl _url;
    private readonly Outbox _outbox;
    private readonly string _agent;
    private readonly IReadOnlyList<string> _secrets;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task? _sender;

    // Under _lock: what the health shows, events only in memory, and deliveries made but not yet deleted (the disk refused).
    private readonly Lock _lock = new();
    private readonly LinkedList<(string Id, byte[] Payload)> _unsaved = [];
    private readonly List<long> _undeleted = [];
    private long _cursor, _delivered, _unsavedDropped;
    private DateTimeOffset? _lastSuccess, _lastFailure;
    private string? _lastError;
    private int _failures;
    private bool _deleteFailing; // the sender's own: logged once per spell

    public WebhookEndpoint(WebhookOptions options, string agent, AgentDatabase database, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _url = WebhookUrl.Parse(options.Url, out var error) ?? throw new ArgumentException($"webhook '{options.Name}': URL {error}", nameof(options));
        _outbox = new Outbox(database, Capacity, Outbox.WebhookDestination(options.Name));
        _agent = agent;
        _secrets = SecretValues.From(new AgentOptions { Webhooks = [options] });
        _logger = logger;
        _time = time ?? TimeProvider.System;
        // Redirects are not followed: the signature and the credentials are for this URL, not for wherever it points.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own limit, told apart from a stop
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("LineWatch", AppVersion.Current));
        _http.DefaultRequestHeaders.Authorization = _url.Authorization;
    }

    public string Name => _options.Name;

    /// <summary>The URL without its secrets.</summary>
    public string Display => _url.Display;

    public WebhookHealth Health
    {
        get
        {
            lock (_lock)
            {
                // Delivered rows leave the count as their delete commits, a moment before they leave _undeleted: never below 0.
                var pending = Math.Max(0, _outbox.PendingCount + _unsaved.Count - _undeleted.Count);
                return new WebhookHealth(_options.Name, _url.Display, _options.Secret.Length > 0, pending,
                    _delivered, _outbox.Dropped + _unsavedDropped, _lastSuccess, _lastFailure, _lastError, _failures);
            }
        }
    }

    /// <summary>Queues the event within <paramref name="write"/> (sent once it commits and <see cref="Send"/> is called).</summary>
    public void Queue(DatabaseWrite write, string eventId, byte[] payload) => _outbox.Put(write, new OutboxMessage(eventId, payload, Retain: false));

    /// <summary>The database could not take the event: it waits in memory (lost if the agent stops before it is delivered).</summary>
    public void QueueUnsaved(byte[] payload)
    {
        lock (_lock)
        {
            if (_unsaved.Count >= Capacity)
            {
                _unsaved.RemoveFirst();
                _unsavedDropped++;
            }
            _unsaved.AddLast(($"{_agent}-m-{Guid.NewGuid():N}", payload));
        }
    }

    public void Send() => _wake.Writer.TryWrite(true);

    public void Start() => _sender ??= Task.Run(SendLoopAsync);

    private async Task SendLoopAsync()
    {
        var backoff = NewBackoff();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    Delivery? next;
                    try
                    {
                        DeleteDelivered();
                        next = Next();
                    }
                    catch (SqliteException e)
                    {
                        _logger.LogError("Webhook {Name}: its queue could not be read ({Reason}); retrying", Name, e.Message);
                        await Task.Delay(TimeSpan.FromSeconds(1), _time, _stop.Token).ConfigureAwait(false);
                        continue;
                    }
                    if (next is null)
                    {
                        await _wake.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false);
                        _wake.Reader.TryRead(out _);
                        continue;
                    }
                    if (await PostAsync(next.Value).ConfigureAwait(false) is { } failure)
                    {
                        var wait = backoff.Next();
                        Failed(failure, wait);
                        await Task.Delay(wait, _time, _stop.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        Delivered(next.Value);
                        backoff = NewBackoff();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A fault nobody foresaw must not end delivery for good, and silently: it is logged and shown in the
                    // health like a failed attempt, and the queue is tried again after the backoff.
                    var wait = backoff.Next();
                    _logger.LogError(e, "Webhook {Name}: sending failed with an unexpected error; retrying", Name);
                    Failed(SecretValues.Scrub($"unexpected error: {e.Message}", _secrets), wait);
                    await Task.Delay(wait, _time, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopped
        }
    }

    private ReconnectBackoff NewBackoff() => new(TimeSpan.FromSeconds(_options.MaxBackoffSeconds), _time);

    /// <summary>One event to deliver: a row of the queue (<paramref name="Sequence"/>) or one only in memory.</summary>
    private readonly record struct Delivery(string Id, byte[] Payload, long? Sequence);

    private Delivery? Next()
    {
        lock (_lock)
        {
            if (_unsaved.First is { } node) return new Delivery(node.Value.Id, node.Value.Payload, null);
        }
        // The cursor skips deliveries made whose delete the disk refused; a restart starts from the first row again.
        return _outbox.After(Volatile.Read(ref _cursor), 1) is [var entry] ? new Delivery($"{_agent}-{entry.Sequence}", entry.Payload, entry.Sequence) : null;
    }

    /// <returns>null when the URL accepted the event, else why not (without secrets).</returns>
    private async Task<string?> PostAsync(Delivery delivery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url.Target) { Content = new ByteArrayContent(delivery.Payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(DeliveryHeader, delivery.Id);
        if (_options.Secret.Length > 0)
        {
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(_options.Secret, timestamp, delivery.Payload));
        }
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        attempt.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return $"no answer within {_options.TimeoutSeconds:0.#} s";
        }
        catch (HttpRequestException e)
        {
            return SecretValues.Scrub(e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} ({inner.Message})" : e.Message, _secrets);
        }
    }

    private void Delivered(Delivery delivery)
    {
        int failures;
        lock (_lock)
        {
            if (delivery.Sequence is { } sequence)
            {
                _undeleted.Add(sequence);
                _cursor = sequence;
            }
            else
            {
                _unsaved.RemoveFirst();
            }
            _delivered++;
            _lastSuccess = _time.GetUtcNow();
            (failures, _failures) = (_failures, 0);
        }
        if (failures > 0) _logger.LogInformation("Webhook {Name} ({Url}) accepts events again, after {Failures} failed attempt(s)", Name, Display, failures);
    }

    private void Failed(string reason, TimeSpan wait)
    {
        int failures;
        lock (_lock)
        {
            _lastFailure = _time.GetUtcNow();
            _lastError = reason;
            failures = ++_failures;
        }
        // The first failure and every tenth: with the backoff at its maximum that is a line every few minutes, not a flood.
        if (failures == 1 || failures % 10 == 0)
        {
            _logger.LogWarning("Webhook {Name} ({Url}): delivery failed ({Reason}), attempt {Failures} in a row; next try in {Seconds:0.#} s",
                Name, Display, reason, failures, wait.TotalSeconds);
        }
    }

    /// <summary>Deletes the delivered rows (one transaction); when the disk refuses, they stay noted and are tried with the next.</summary>
    private void DeleteDelivered()
    {
        long[] batch;
        lock (_lock) batch = [.. _undeleted];
        if (batch.Length == 0) return;
        try
        {
            _outbox.Acknowledge(batch);
        }
        catch (SqliteException e)
        {
            if (!_deleteFailing) _logger.LogWarning("Webhook {Name}: delivery of {Count} event(s) could not be recorded ({Reason}); they may be sent again after a restart", Name, batch.Length, e.Message);
            _deleteFailing = true;
            return;
        }
        _deleteFailing = false;
        lock (_lock) _undeleted.RemoveRange(0, batch.Length);
    }

    /// <summary>Stops sending; what is still queued stays in the database for the next start.</summary>
    public void Stop()
    {
        _stop.Cancel();
        try
        {
            _sender?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the loop's own failure was logged where it happened
        }
        try
        {
            DeleteDelivered(); // what the URL already has need not go again after a restart
        }
        catch (ObjectDisposedException)
        {
            // the database is already closed: those few go once more, and the receiver drops them by their delivery id
        }
    }

    public void Dispose()
    {
        Stop();
        _http.Dispose();
        _stop.Dispose();
    }
}
