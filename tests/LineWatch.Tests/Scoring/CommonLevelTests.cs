using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

public class CommonLevelTests
{
    private static readonly float[] Typical = Enumerable.Repeat(0.4f, 49).ToArray();

    private static float[] Window(float level) => Enumerable.Repeat(level, 49).ToArray();

    [Fact]
    public void A_rise_the_whole_picture_shares_is_taken_out_of_every_position()
    {
        var distances = Window(1.0f);
        distances[10] = 2.5f; // one position rose further than the rest

        var removed = CommonLevel.Remove(distances, Typical, cap: 5, new float[49]);

        Assert.Equal(0.6f, removed, 5);
        Assert.Equal(0.4f, distances[0], 5);
        Assert.Equal(1.9f, distances[10], 5); // what it has beyond the common rise stays
    }

    [Fact]
    public void A_rise_at_a_few_positions_is_a_local_fault_and_stays()
    {
        var distances = Window(0.4f);
        for (var p = 20; p < 30; p++) distances[p] = 3f; // ten of 49 positions: a fallen part, a hand

        Assert.Equal(0, CommonLevel.Remove(distances, Typical, cap: 5, new float[49]));
        Assert.Equal(3f, distances[25]);
    }

    [Fact]
    public void Positions_below_their_typical_level_are_never_raised()
    {
        var distances = Window(0.1f);
        Assert.Equal(0, CommonLevel.Remove(distances, Typical, cap: 5, new float[49]));
        Assert.All(distances, d => Assert.Equal(0.1f, d));
    }

    [Fact]
    public void At_most_the_cap_is_removed_so_a_fault_of_the_whole_picture_still_stands_out()
    {
        var distances = Window(4f);
        Assert.Equal(1.5f, CommonLevel.Remove(distances, Typical, cap: 1.5f, new float[49]));
        Assert.Equal(2.5f, distances[0], 5);
    }

    [Fact]
    public void A_grid_too_coarse_to_tell_shared_from_local_is_left_alone()
    {
        var distances = Enumerable.Repeat(2f, 4).ToArray();
        Assert.Equal(0, CommonLevel.Remove(distances, [0.4f, 0.4f, 0.4f, 0.4f], cap: 5, new float[4]));
        Assert.Equal(2f, distances[0]);
    }
}
