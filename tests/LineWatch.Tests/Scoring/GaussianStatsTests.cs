using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class GaussianStatsTests
{
    [Fact]
    public void Mean_and_floored_covariance_match_a_hand_computed_case()
    {
        // Points (1,2), (3,6), (5,4): mean (3,4), sample covariance [[4,2],[2,4]]; a floor of 1 makes it
        // [[5,2],[2,5]], whose inverse is [[5,-2],[-2,5]]/21, so (5,4) lies at (2,0)ᵀ Σ⁻¹ (2,0) / p = (20/21) / 2.
        var stats = new GaussianStats(2);
        foreach (var p in new[] { new[] { 1f, 2f }, [3f, 6f], [5f, 4f] }) stats.Add(p);
        var model = stats.Fit(varianceFloor: 1);

        Assert.Equal(10.0 / 21, model.Score([5f, 4f], new float[2]), 5);
        Assert.Equal(0.0, model.Score([3f, 4f], new float[2]), 5);
    }

    [Fact]
    public void The_floor_caps_the_distance_along_a_direction_that_never_varied()
    {
        // The second feature is constant in every normal sample: without the floor, any change there would be an
        // infinite distance; with it, a change of 0.1 counts as one floored standard deviation.
        var stats = new GaussianStats(2);
        var random = new Random(2);
        for (var i = 0; i < 1000; i++) stats.Add([(float)random.NextDouble(), 0.5f]);
        var model = stats.Fit(varianceFloor: 0.01);

        Assert.Equal(1.0 / 2, model.Score([(float)0.5, 0.6f], new float[2]), 1);
    }

    [Fact]
    public void With_many_samples_the_distance_is_the_true_mahalanobis_distance()
    {
        // x = (a, a + b) with a, b standard normal: cov [[1,1],[1,2]], inverse [[2,-1],[-1,1]].
        var random = new Random(5);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var stats = new GaussianStats(2);
        for (var i = 0; i < 200_000; i++)
        {
            var a = Normal();
            stats.Add([(float)a, (float)(a + Normal())]);
        }
        var model = stats.Fit(varianceFloor: 1e-6);
        // (1, 0): xᵀ Σ⁻¹ x = 2, divided by p=2 -> 1.  (1, 1): 2 - 2 + 1 = 1 -> 0.5.
        Assert.Equal(1.0, model.Score([1f, 0f], new float[2]), 1);
        Assert.Equal(0.5, model.Score([1f, 1f], new float[2]), 1);
    }

    [Fact]
    public void Fitting_needs_two_samples_and_a_vector_of_the_right_size()
    {
        var stats = new GaussianStats(3);
        Assert.Throws<ArgumentException>(() => stats.Add([1f, 2f]));
        stats.Add([1f, 2f, 3f]);
        Assert.Throws<InvalidOperationException>(() => stats.Fit(0.01));
        stats.Add([2f, 2f, 3f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => stats.Fit(0));
    }
}
