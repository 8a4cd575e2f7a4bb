using LineWatch.Processing;
using LineWatch.Tests.Dashboard;

namespace LineWatch.Tests.Processing;

public sealed class ReconnectBackoffTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Waits_double_from_one_second_up_to_thirty_each_shortened_by_at_most_a_quarter()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), _clock, new Random(3));
        double[] nominal = [1, 2, 4, 8, 16, 30, 30, 30];
        foreach (var expected in nominal)
        {
            var wait = backoff.Next().TotalSeconds;
            Assert.InRange(wait, 0.75 * expected, expected);
        }
    }

    [Fact]
    public void Waits_are_spread_so_agents_do_not_return_in_step()
    {
        var waits = Enumerable.Range(0, 20).Select(seed => new ReconnectBackoff(TimeSpan.FromSeconds(30), _clock, new Random(seed)).Next()).Distinct().Count();
        Assert.True(waits > 10, $"only {waits} different first waits from 20 agents");
    }

    [Fact]
    public void A_connection_that_stayed_up_half_a_minute_starts_the_waits_over()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), _clock, new Random(5));
        for (var i = 0; i < 6; i++) backoff.Next();
        backoff.Connected();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.InRange(backoff.Next().TotalSeconds, 0.75, 1);
    }

    [Fact]
    public void A_peer_that_accepts_and_drops_at_once_is_not_retried_at_the_shortest_wait()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), _clock, new Random(7));
        var waits = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            backoff.Connected(); // accepted (a camera's first frame, a broker's CONNACK)...
            _clock.Advance(TimeSpan.FromSeconds(2)); // ...and gone again two seconds later
            var wait = backoff.Next();
            waits.Add(wait.TotalSeconds);
            _clock.Advance(wait);
        }
        double[] nominal = [1, 2, 4, 8, 16, 30, 30, 30];
        for (var i = 0; i < nominal.Length; i++) Assert.InRange(waits[i], 0.75 * nominal[i], nominal[i]);
    }

    [Fact]
    public void Only_the_connection_just_ended_counts_not_an_earlier_one()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), _clock, new Random(9));
        backoff.Connected();
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.InRange(backoff.Next().TotalSeconds, 0.75, 1); // a long good connection ended
        _clock.Advance(TimeSpan.FromMinutes(1)); // attempts failing meanwhile...
        Assert.InRange(backoff.Next().TotalSeconds, 1.5, 2); // ...keep doubling: no new connection was up
    }
}
