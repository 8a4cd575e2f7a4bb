using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class LocalBaselineTests
{
    // Two windows a second: the level uses windows 5 to 25 s old and needs 5 s of them.
    private const double Rate = 2;
    private const double Threshold = 1;

    private static float[] Step(LocalBaseline baseline, float[] typical, params float[] distances)
    {
        baseline.Correct(distances, typical, Threshold);
        return distances;
    }

    [Fact]
    public void Nothing_changes_until_there_is_enough_history()
    {
        var baseline = new LocalBaseline(1, Rate);
        float[] typical = [0.2f];
        for (var k = 0; k < 19; k++) Assert.Equal(0.9f, Step(baseline, typical, 0.9f)[0]);
        Assert.True(Step(baseline, typical, 0.9f)[0] < 0.9f, "after 10 s the level is known");
    }

    [Fact]
    public void Conditions_like_the_learning_day_change_nothing()
    {
        var baseline = new LocalBaseline(2, Rate);
        float[] typical = [0.3f, 0.5f];
        var random = new Random(1);
        for (var k = 0; k < 200; k++)
        {
            // Half the windows below the typical level, half above: the median sits at it.
            var a = 0.3f + (float)(random.NextDouble() - 0.5) * 0.1f;
            var b = 0.5f + (float)(random.NextDouble() - 0.5) * 0.1f;
            var corrected = Step(baseline, typical, a, b);
            Assert.InRange(a - corrected[0], 0, 0.03);
            Assert.InRange(b - corrected[1], 0, 0.03);
        }
    }

    [Fact]
    public void A_slow_rise_is_absorbed_but_a_sudden_jump_at_one_place_is_not()
    {
        var baseline = new LocalBaseline(2, Rate);
        float[] typical = [0.3f, 0.3f];
        float[] last = [];
        // Over two minutes both positions drift from 0.3 to 1.1, as the local channel did under brighter light.
        for (var k = 0; k < 240; k++)
        {
            var level = 0.3f + 0.8f * k / 240;
            last = Step(baseline, typical, level, level);
        }
        Assert.True(last[0] < 0.45f, $"drift left {last[0]}");
        // Then something appears at position 1: 2 s later it still counts in full against the level before it.
        float[] jump = [];
        for (var k = 0; k < 4; k++) jump = Step(baseline, typical, 1.1f, 2.6f);
        Assert.True(jump[1] > 1.7f, $"the jump was absorbed: {jump[1]}");
        Assert.True(jump[0] < 0.45f);
    }

    [Fact]
    public void The_correction_never_exceeds_one_threshold_so_a_lasting_large_anomaly_keeps_alerting()
    {
        var baseline = new LocalBaseline(1, Rate);
        float[] typical = [0.2f];
        float[] corrected = [];
        for (var k = 0; k < 120; k++) corrected = Step(baseline, typical, 3.5f); // a hand that stays for a minute
        Assert.Equal(3.5f - LocalBaseline.MaxCorrection * Threshold, corrected[0], 4);
    }

    [Fact]
    public void Correcting_a_window_allocates_nothing()
    {
        var baseline = new LocalBaseline(49, Rate);
        var typical = new float[49];
        var distances = new float[49];
        for (var k = 0; k < 100; k++) baseline.Correct(distances, typical, Threshold);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < 1000; k++)
        {
            distances.AsSpan().Fill(k % 7);
            baseline.Correct(distances, typical, Threshold);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
