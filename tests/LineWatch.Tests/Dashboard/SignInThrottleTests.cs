using System.Net;
using LineWatch.Agent.Dashboard;

namespace LineWatch.Tests.Dashboard;

public sealed class SignInThrottleTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void When_the_table_is_full_of_recent_guessers_a_new_address_waits_until_one_goes_quiet()
    {
        var throttle = new SignInThrottle(maxAttempts: 5, window: TimeSpan.FromMinutes(1), maxAddresses: 2, _clock);
        Assert.True(throttle.TryStart(IPAddress.Parse("192.0.2.1"), out _));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(throttle.TryStart(IPAddress.Parse("192.0.2.2"), out _));

        Assert.False(throttle.TryStart(IPAddress.Parse("192.0.2.3"), out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(1), retryAfter);
        Assert.True(throttle.TryStart(IPAddress.Parse("192.0.2.1"), out _), "an address already tracked keeps its own count");

        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(throttle.TryStart(IPAddress.Parse("192.0.2.3"), out _), "192.0.2.1 tried again within the minute");
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(throttle.TryStart(IPAddress.Parse("192.0.2.3"), out _));
    }

    [Fact]
    public void Clients_without_an_address_share_one_limit()
    {
        var throttle = new SignInThrottle(maxAttempts: 2, window: TimeSpan.FromMinutes(1), maxAddresses: 10, _clock);
        Assert.True(throttle.TryStart(null, out _));
        Assert.True(throttle.TryStart(null, out _));
        Assert.False(throttle.TryStart(null, out _));
        throttle.Succeeded(null);
        Assert.True(throttle.TryStart(null, out _));
    }
}
