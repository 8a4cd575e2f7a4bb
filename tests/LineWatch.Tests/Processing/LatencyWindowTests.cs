using LineWatch.Processing;

namespace LineWatch.Tests.Processing;

/// <summary>The latency percentiles the status line, the dashboard and MQTT read several times a second.</summary>
public sealed class LatencyWindowTests
{
    [Fact]
    public void Percentiles_are_nearest_rank_over_the_latest_samples()
    {
        var window = new LatencyWindow(4);
        Assert.True(double.IsNaN(window.Percentile(50)));
        foreach (var ms in new double[] { 100, 100, 40, 10, 30, 20 }) window.Add(ms); // the two 100s have given way

        Assert.Equal((10, 20, 40, 40), (window.Percentile(0), window.Percentile(50), window.Percentile(99), window.Percentile(100)));
        Assert.Equal(6, window.Count);
    }

    [Fact]
    public void Reading_a_percentile_allocates_nothing()
    {
        var window = new LatencyWindow(512);
        for (var i = 0; i < 1000; i++) window.Add(i % 97);
        window.Percentile(50);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) window.Percentile(i % 2 == 0 ? 50 : 99);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
