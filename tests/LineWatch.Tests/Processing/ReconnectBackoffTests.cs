using LineWatch.Processing;

namespace LineWatch.Tests.Processing;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Waits_double_from_one_second_up_to_thirty_each_shortened_by_at_most_a_quarter()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), new Random(3));
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
        var waits = Enumerable.Range(0, 20).Select(seed => new ReconnectBackoff(TimeSpan.FromSeconds(30), new Random(seed)).Next()).Distinct().Count();
        Assert.True(waits > 10, $"only {waits} different first waits from 20 agents");
    }

    [Fact]
    public void A_connection_that_was_up_starts_the_waits_over()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(30), new Random(5));
        for (var i = 0; i < 6; i++) backoff.Next();
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalSeconds, 0.75, 1);
    }
}
