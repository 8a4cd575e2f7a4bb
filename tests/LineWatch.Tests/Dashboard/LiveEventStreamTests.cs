using System.Threading.Channels;
using LineWatch.Agent.Dashboard;
using LineWatch.Events;

namespace LineWatch.Tests.Dashboard;

/// <summary>
/// One live-events client over a long quiet stretch, with the clock moved by the test: what it holds is counted,
/// not timed. Each wait on the alert queue is counted from the call to its completion.
/// </summary>
public sealed class LiveEventStreamTests
{
    private readonly ManualClock _clock = new();
    private readonly Channel<AlertRecord> _alerts = Channel.CreateBounded<AlertRecord>(64);
    private readonly Channel<string> _sent = Channel.CreateUnbounded<string>();
    private readonly CountingReader _reader;

    public LiveEventStreamTests() => _reader = new CountingReader(_alerts.Reader);

    private LiveEventStream Stream(Func<bool, CancellationToken, Task>? sendState = null) => new(_reader,
        sendState ?? ((afterAlerts, _) => Sent(afterAlerts ? "state after alerts" : "state")),
        (record, _) => Sent($"alert {record.Id}"),
        _clock);

    private Task Sent(string what) => _sent.Writer.WriteAsync(what).AsTask();

    /// <summary>The next event the stream sent; the timeout only keeps a broken stream from hanging the run.</summary>
    private async Task<string> Next() => await _sent.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    private async Task Seconds(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _clock.Advance(LiveEventStream.StatePeriod);
            Assert.Equal("state", await Next());
        }
    }

    private static AlertRecord Alert(string id) =>
        new(id, "line-1", DateTimeOffset.UnixEpoch, null, 1.5, AlertSeverity.Warning, false, null, null);

    [Fact]
    public async Task A_quiet_client_holds_one_wait_on_the_alert_queue_however_long_it_stays()
    {
        using var client = new CancellationTokenSource();
        var run = Stream().RunAsync(client.Token, CancellationToken.None);
        Assert.Equal("state", await Next());

        await Seconds(600);

        Assert.Equal(1, _reader.Pending);
        Assert.Equal(1, _reader.Started);
        client.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(SpinWait.SpinUntil(() => _reader.Pending == 0, TimeSpan.FromSeconds(30)), "a wait outlived its client");
    }

    [Fact]
    public async Task Alerts_between_quiet_seconds_are_sent_at_once_and_leave_one_wait_pending()
    {
        using var client = new CancellationTokenSource();
        var run = Stream().RunAsync(client.Token, CancellationToken.None);
        Assert.Equal("state", await Next());

        for (var round = 1; round <= 20; round++)
        {
            await Seconds(30);
            await _alerts.Writer.WriteAsync(Alert($"a{round}"));
            Assert.Equal($"alert a{round}", await Next());
            Assert.Equal("state after alerts", await Next());
        }
        await Seconds(30);

        Assert.Equal(1, _reader.Pending);
        Assert.Equal(21, _reader.Started);
        client.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_client_whose_stream_failed_leaves_nothing_registered_on_the_agent_stopping()
    {
        using var stopping = new CancellationTokenSource();
        var clientToken = CancellationToken.None;
        var stream = Stream((_, token) =>
        {
            clientToken = token;
            throw new IOException("connection reset by peer");
        });
        await Assert.ThrowsAsync<IOException>(() => stream.RunAsync(CancellationToken.None, stopping.Token));

        // Whatever still hangs on the client's token when the agent stops is what stopping keeps alive.
        var reached = false;
        clientToken.Register(() => reached = true);
        stopping.Cancel();

        Assert.True(clientToken.CanBeCanceled);
        Assert.False(reached);
    }

    [Fact]
    public async Task Stopping_the_agent_ends_the_stream()
    {
        using var stopping = new CancellationTokenSource();
        var run = Stream().RunAsync(CancellationToken.None, stopping.Token);
        Assert.Equal("state", await Next());
        await Seconds(3);

        stopping.Cancel();

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(SpinWait.SpinUntil(() => _reader.Pending == 0, TimeSpan.FromSeconds(30)), "a wait outlived the agent's stop");
    }

    /// <summary>The real queue's reader, with each wait counted while it is outstanding.</summary>
    private sealed class CountingReader(ChannelReader<AlertRecord> inner) : ChannelReader<AlertRecord>
    {
        private int _pending;
        private int _started;

        public int Pending => Volatile.Read(ref _pending);
        public int Started => Volatile.Read(ref _started);

        public override bool TryRead(out AlertRecord item) => inner.TryRead(out item!);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _started);
            Interlocked.Increment(ref _pending);
            var wait = inner.WaitToReadAsync(cancellationToken).AsTask();
            wait.ContinueWith(_ => Interlocked.Decrement(ref _pending), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return new ValueTask<bool>(wait);
        }
    }
}
