using System.Diagnostics;
using LineWatch.Processing;
using LineWatch.Tests.Dashboard;

namespace LineWatch.Tests.Processing;

public class SamplerAndBackoffTests
{
    [Fact]
    public void The_sampler_takes_frames_at_the_analysis_rate_from_a_faster_source()
    {
        var sampler = new FrameSampler(8);
        var frame = Stopwatch.Frequency / 25; // a 25 fps camera for 10 s
        var taken = Enumerable.Range(0, 250).Count(i => sampler.Take(1_000_000 + i * frame));
        Assert.InRange(taken, 79, 81);
    }

    [Fact]
    public void After_a_pause_the_sampler_does_not_catch_up()
    {
        var sampler = new FrameSampler(10);
        var period = Stopwatch.Frequency / 10;
        Assert.True(sampler.Take(period));
        Assert.True(sampler.Take(period * 50));   // 5 s later: take it...
        Assert.False(sampler.Take(period * 50 + period / 2)); // ...and then only at the normal rate again
        Assert.True(sampler.Take(period * 51));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_the_maximum_and_resets()
    {
        var clock = new ManualClock();
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(10), clock, new Random(1));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalSeconds).ToArray();
        double[] nominal = [1, 2, 4, 8, 10, 10, 10, 10];
        for (var i = 0; i < delays.Length; i++) Assert.InRange(delays[i], nominal[i] * 0.75, nominal[i]);
        Assert.NotEqual(delays[5], delays[6]); // jittered
        backoff.Connected();
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.InRange(backoff.Next().TotalSeconds, 0.75, 1);
    }
}
