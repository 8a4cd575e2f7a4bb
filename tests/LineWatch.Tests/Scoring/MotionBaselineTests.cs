using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class MotionBaselineTests
{
    // Two windows a second: the level uses windows 5 to 25 s old and needs 5 s of them.
    private const double Rate = 2;
    private const double Threshold = 3; // the motion threshold, in standard deviations

    /// <summary>One region, a belt moving right at 2 px per frame; its spread is under the floor (0.2 px).</summary>
    private static MotionModel Belt()
    {
        var stats = new MotionStats(1);
        var random = new Random(1);
        for (var i = 0; i < 200; i++) stats.Add([(float)(2 + 0.1 * (random.NextDouble() - 0.5)), 0]);
        return stats.Fit();
    }

    private static float Step(MotionBaseline baseline, MotionModel model, float dx)
    {
        float[] flow = [dx, 0];
        baseline.Correct(flow, model, Threshold);
        return flow[0];
    }

    [Fact]
    public void A_belt_read_slower_for_minutes_is_brought_back_to_normal()
    {
        // Under flicker and noise the flow read the belt 15% slow for the whole video.
        var model = Belt();
        var baseline = new MotionBaseline(1, Rate);
        var random = new Random(2);
        var last = 0f;
        for (var k = 0; k < 120; k++) last = Step(baseline, model, 1.7f + (float)(0.04 * (random.NextDouble() - 0.5)));
        Assert.InRange(last, 1.95f, 2.05f);
    }

    [Fact]
    public void A_sudden_stop_counts_in_full_against_the_recent_level_for_its_first_seconds()
    {
        // The belt read at 1.7 px for minutes; then it stops: 1.7 px below what the camera has been showing.
        var model = Belt();
        var baseline = new MotionBaseline(1, Rate);
        for (var k = 0; k < 120; k++) Step(baseline, model, 1.7f);
        var stopped = 1f;
        for (var k = 0; k < 8; k++) stopped = Step(baseline, model, 0f); // 4 s
        Assert.Equal(1.7f, model.Mean(0) - stopped, 3);
    }

    [Fact]
    public void After_a_long_stop_the_belt_running_normally_again_reads_normal_not_as_a_fault()
    {
        // A minute stopped makes the recent level "stopped"; subtracting it would read the restart as 2 px too fast.
        var model = Belt();
        var baseline = new MotionBaseline(1, Rate);
        for (var k = 0; k < 60; k++) Step(baseline, model, 2f);
        for (var k = 0; k < 120; k++) Step(baseline, model, 0f);
        Assert.Equal(2f, Step(baseline, model, 2f), 4);
    }

    [Fact]
    public void The_correction_is_capped_at_one_threshold_so_a_lasting_stop_keeps_alerting()
    {
        var model = Belt();
        var baseline = new MotionBaseline(1, Rate);
        var corrected = 0f;
        for (var k = 0; k < 120; k++) corrected = Step(baseline, model, 0f);
        // 2 px below normal, shrunk by at most one threshold of the floored standard deviation: 3 × 0.2 px.
        Assert.Equal(Threshold * MotionStats.FloorPixels, corrected, 3);
    }

    [Fact]
    public void Correcting_a_window_allocates_nothing()
    {
        var stats = new MotionStats(7);
        var random = new Random(3);
        for (var i = 0; i < 50; i++) stats.Add(Enumerable.Range(0, 98).Select(_ => (float)random.NextDouble()).ToArray());
        var model = stats.Fit();
        var baseline = new MotionBaseline(49, Rate);
        var flow = new float[98];
        for (var k = 0; k < 100; k++) baseline.Correct(flow, model, Threshold);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < 1000; k++)
        {
            flow.AsSpan().Fill(k % 7);
            baseline.Correct(flow, model, Threshold);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
