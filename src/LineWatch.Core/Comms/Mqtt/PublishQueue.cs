using System.Threading.Channels;
using MQTTnet;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// The messages handed to one connection. Adding never waits: one sender task passes them to MQTTnet in the order
/// they came, with at most the broker's Receive Maximum unacknowledged (an MQTT 5 broker may disconnect a client
/// that sends more). When the connection ends, what was not sent is dropped: the caller keeps what must not be
/// lost (the durable outbox) and sends it again on the next connection.
/// </summary>
internal sealed class PublishQueue
{
    private readonly record struct Item(long Id, MqttApplicationMessage Message);

    private readonly IMqttClient _client;
    private readonly Action<long, string, MqttClientPublishResult> _answered;
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _unacknowledged;
    private readonly CancellationTokenSource _gone = new();
    private readonly Task _sender;

    /// <param name="answered">Called on a pool thread with a message's id, its topic and the broker's PUBACK for it.</param>
    public PublishQueue(IMqttClient client, ushort? receiveMaximum, Action<long, string, MqttClientPublishResult> answered)
    {
        _client = client;
        _answered = answered;
        // MQTT 5: absent or 0 means the protocol's maximum; a 3.1.1 broker states no limit.
        _unacknowledged = new SemaphoreSlim(receiveMaximum is > 0 ? receiveMaximum.Value : ushort.MaxValue);
        _sender = Task.Run(SendAsync);
    }

    public bool TryAdd(long id, MqttApplicationMessage message) => _items.Writer.TryWrite(new Item(id, message));

    /// <summary>Takes no more; completes when everything added was handed to MQTTnet (acknowledgements may still be on the way).</summary>
    public Task DrainAsync()
    {
        _items.Writer.TryComplete();
        return _sender;
    }

    /// <summary>The connection is gone: what was not sent is dropped.</summary>
    public Task CloseAsync()
    {
        _items.Writer.TryComplete();
        _gone.Cancel();
        return _sender;
    }

    private async Task SendAsync()
    {
        try
        {
            await foreach (var item in _items.Reader.ReadAllAsync(_gone.Token).ConfigureAwait(false))
            {
                await _unacknowledged.WaitAsync(_gone.Token).ConfigureAwait(false);
                Task<MqttClientPublishResult> publish;
                try
                {
                    publish = _client.PublishAsync(item.Message, CancellationToken.None);
                }
                catch (Exception) when (!_client.IsConnected)
                {
                    return; // the connection ended under us; the connection loop reports why
                }
                _ = AwaitAnswerAsync(item, publish);
            }
        }
        catch (OperationCanceledException)
        {
            // closed
        }
    }

    private async Task AwaitAnswerAsync(Item item, Task<MqttClientPublishResult> publish)
    {
        MqttClientPublishResult answer;
        try
        {
            answer = await publish.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Any failure before the PUBACK means the broker may not have it: it was not acknowledged, so the caller sends it again.
            return;
        }
        finally
        {
            _unacknowledged.Release();
        }
        _answered(item.Id, item.Message.Topic, answer);
    }
}
