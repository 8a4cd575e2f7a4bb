using System.Threading.Channels;
using LineWatch.Events;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// The pacing of one dashboard client's Server-Sent Events: the state when it connects and every
/// <see cref="StatePeriod"/>, each alert change as soon as it is queued, and the state again right after alerts
/// (the camera's badge changes with its alert, not up to a second later). What is written, and how, belongs to
/// the two senders; this type only decides when.
/// </summary>
internal sealed class LiveEventStream(ChannelReader<AlertRecord> alerts, Func<bool, CancellationToken, Task> sendState,
    Func<AlertRecord, CancellationToken, Task> sendAlert, TimeProvider clock)
{
    public static readonly TimeSpan StatePeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs until the client goes (<paramref name="requestAborted"/>) or the agent stops. A wait on the alert
    /// queue is started only when the previous one has completed: a channel keeps every pending waiter with its
    /// cancellation registration until data arrives, so one started per tick would pile up for as long as the
    /// line stays quiet.
    /// </summary>
    public async Task RunAsync(CancellationToken requestAborted, CancellationToken stopping)
    {
        // Disposed with the stream: otherwise its registration on the agent's stopping token outlives the client.
        using var link = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping);
        var stop = link.Token;
        try
        {
            using var tick = new PeriodicTimer(StatePeriod, clock);
            var nextTick = tick.WaitForNextTickAsync(stop).AsTask();
            var nextAlert = alerts.WaitToReadAsync(stop).AsTask();
            await sendState(false, stop);
            while (true)
            {
                var done = await Task.WhenAny(nextTick, nextAlert);
                if (done == nextTick)
                {
                    if (!await nextTick) return;
                    await sendState(false, stop);
                    nextTick = tick.WaitForNextTickAsync(stop).AsTask();
                    continue;
                }
                if (!await nextAlert) return; // the queue was completed: nothing more will come
                // This stream is the queue's only reader, so a completed wait means at least one record to send.
                while (alerts.TryRead(out var record)) await sendAlert(record, stop);
                await sendState(true, stop);
                nextAlert = alerts.WaitToReadAsync(stop).AsTask();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went or the agent is stopping: the stream just ends.
        }
    }
}
