using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class LineSpeedTests
{
    private const int Grid = 3;

    /// <summary>A belt along the middle row at <paramref name="beltDx"/> px per frame (its right end a little slower,
    /// as a perspective view shows it), a slow region above it, the rest still.</summary>
    private static float[] Flow(float beltDx, float noise = 0, Random? random = null)
    {
        var flow = new float[2 * Grid * Grid];
        float Jitter() => random is null ? 0 : (float)(noise * (random.NextDouble() - 0.5));
        for (var r = 0; r < Grid * Grid; r++)
        {
            flow[2 * r] = (r / Grid == 1 ? beltDx * (r == 5 ? 0.8f : 1) : 0) + Jitter();
            flow[2 * r + 1] = Jitter();
        }
        flow[2 * 1] = 0.5f; // a slow mechanism above the belt: under half the belt's speed, not part of it
        return flow;
    }

    private static MotionModel Learned(float beltDx)
    {
        var stats = new MotionStats(Grid);
        var random = new Random(1);
        for (var i = 0; i < 200; i++) stats.Add(Flow(beltDx, 0.1f, random));
        return stats.Fit();
    }

    [Fact]
    public void The_belt_is_the_regions_moving_at_least_half_as_fast_as_the_fastest()
    {
        Assert.Equal([3, 4, 5], new LineSpeed(Learned(2)).Belt.ToArray());
    }

    [Theory]
    [InlineData(2f, 0)]      // normal
    [InlineData(1f, -0.5)]   // half speed
    [InlineData(3.6f, 0.8)]  // 1.8 times
    [InlineData(0f, -1)]     // stopped
    [InlineData(-2f, -2)]    // backwards
    public void The_change_is_the_belt_speed_as_a_fraction_of_normal_minus_one(float beltDx, double change)
    {
        var speed = new LineSpeed(Learned(2));
        Assert.Equal(change, speed.Change(Flow(beltDx)), 2);
    }

    [Fact]
    public void Noise_in_single_regions_averages_out_along_the_belt()
    {
        // One belt region reads 0.6 px off (a part's edge fooling the flow): per region that is three floors, along
        // the belt a tenth of its speed.
        var speed = new LineSpeed(Learned(2));
        var flow = Flow(2);
        flow[2 * 4] += 0.6f;
        Assert.InRange(speed.Change(flow), 0.05, 0.15);
    }

    [Fact]
    public void Belt_regions_the_camera_s_regions_leave_out_do_not_count()
    {
        var speed = new LineSpeed(Learned(2));
        var flow = Flow(2);
        flow[2 * 4] = -3; // something over the belt's middle, in an excluded region
        bool[] scored = [true, true, true, true, false, true, true, true, true];

        Assert.Equal(0, speed.Change(flow, scored), 3);
        Assert.True(speed.Change(flow) < -0.5);
    }

    [Fact]
    public void A_camera_where_nothing_moves_has_no_belt_and_no_line_speed()
    {
        var stats = new MotionStats(Grid);
        var random = new Random(2);
        for (var i = 0; i < 50; i++) stats.Add(Flow(0.2f, 0.05f, random).Select((v, k) => k == 2 ? 0.1f : v).ToArray());
        var speed = new LineSpeed(stats.Fit());

        Assert.Empty(speed.Belt.ToArray());
        Assert.Equal(0, speed.Change(Flow(5)));
    }
}
