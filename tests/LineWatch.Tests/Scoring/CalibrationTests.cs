using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class CalibrationTests
{
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959964)]
    [InlineData(0.999, 3.090232)]
    [InlineData(0.01, -2.326348)]
    public void The_normal_quantile_is_accurate(double p, double z) => Assert.Equal(z, ThresholdCalibration.NormalQuantile(p), 5);

    [Fact]
    public void A_rarer_target_gives_a_higher_threshold_never_below_the_largest_normal_score()
    {
        var random = new Random(2);
        var heldOut = Enumerable.Range(0, 300).Select(_ => Math.Exp(random.NextDouble())).ToList();
        var perShift = ThresholdCalibration.Calibrate(heldOut, 57_600);
        var perHour = ThresholdCalibration.Calibrate(heldOut, 7_200);
        Assert.True(perShift > perHour);
        Assert.True(perHour >= heldOut.Max() * 1.1);
    }

    [Fact]
    public void Log_normal_scores_get_the_parametric_quantile()
    {
        // Scores exp(N(0, 1)) at the quantiles: the fit recovers mu = 0, sigma ≈ 1, so the threshold for one in
        // 10,000 windows is about exp(3.719) (above the largest held-out score plus 10%, so that floor is not used).
        var heldOut = Enumerable.Range(1, 999).Select(i => Math.Exp(ThresholdCalibration.NormalQuantile(i / 1000.0))).ToList();
        Assert.InRange(ThresholdCalibration.Calibrate(heldOut, 10_000), Math.Exp(3.719) * 0.95, Math.Exp(3.719) * 1.05);
    }
}
