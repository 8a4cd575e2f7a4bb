using LineWatch.Capture;
using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

/// <summary>Which strip the belt-shift channel reads, and how a window's frame pairs make its change.</summary>
public class BeltShiftTests
{
    private const int Grid = 3;
    private static readonly int K = FrameSignals.Length(Grid);

    /// <summary>A motion model whose regions in <paramref name="belt"/> move by (dx, dy) and the rest stand still.</summary>
    private static MotionModel Motion(int[] belt, float dx, float dy)
    {
        var mean = new float[2 * Grid * Grid];
        foreach (var r in belt) (mean[2 * r], mean[2 * r + 1]) = (dx, dy);
        return new MotionModel(Grid, mean, Enumerable.Repeat(1f, mean.Length).ToArray());
    }

    /// <summary>Windows of <paramref name="frames"/> frames whose every strip shifts by <paramref name="shift"/>(strip).</summary>
    private static float[] Window(int frames, Func<int, (float Dx, float Dy)> shift)
    {
        var signals = new float[frames * K];
        for (var t = 0; t < frames; t++)
        {
            for (var s = 0; s < 2 * Grid; s++) (signals[t * K + FrameSignals.RowShift(Grid, 0) + 2 * s], signals[t * K + FrameSignals.RowShift(Grid, 0) + 2 * s + 1]) = shift(s);
        }
        return signals;
    }

    private static StripShiftStats Learned(Func<int, (float Dx, float Dy)> shift)
    {
        var stats = new StripShiftStats(Grid);
        for (var i = 0; i < 10; i++) stats.Add(Window(8, shift));
        return stats;
    }

    private static BeltShift Channel(int[] belt, float dx, float dy, Func<int, (float Dx, float Dy)> strips)
    {
        var motion = Motion(belt, dx, dy);
        return new BeltShift(Grid, new LineSpeed(motion).Belt, motion, Learned(strips));
    }

    [Fact]
    public void A_belt_across_the_picture_is_read_on_the_row_that_holds_most_of_it()
    {
        // Regions 3, 4, 5 (the middle row) and 6 (one of the bottom row's) move right; the middle row strip shifts 2 px,
        // the bottom one (mostly still floor) 0.5 px.
        (float, float) Normal(int s) => s == 1 ? (2, 0) : s == 2 ? (0.5f, 0) : (0, 0);
        var channel = Channel([3, 4, 5, 6], 2, 0, Normal);

        Assert.Equal([3, 4, 5], channel.Regions.ToArray());
        Assert.Equal(0, channel.Change(Window(8, Normal)), 6);
        Assert.Equal(-0.5, channel.Change(Window(8, s => s == 1 ? (1f, 0f) : Normal(s))), 6); // half speed
        Assert.Equal(-2, channel.Change(Window(8, s => s == 1 ? (-2f, 0f) : Normal(s))), 6); // backwards
        Assert.Equal(0, channel.Change(Window(8, s => s == 2 ? (0f, 0f) : Normal(s))), 6); // another strip does not count
    }

    [Fact]
    public void A_belt_running_down_the_picture_is_read_on_its_column()
    {
        (float, float) Normal(int s) => s == Grid + 2 ? (0, 3) : (0, 0); // column 2
        var channel = Channel([2, 5, 8], 0, 3, Normal);

        Assert.Equal([2, 5, 8], channel.Regions.ToArray());
        Assert.Equal(0.8, channel.Change(Window(8, s => s == Grid + 2 ? (0f, 5.4f) : Normal(s))), 6); // 1.8x
    }

    [Fact]
    public void A_window_is_the_median_of_its_pairs_so_one_jumped_peak_does_not_move_it_and_the_oldest_frame_does_not_count()
    {
        (float, float) Normal(int s) => s == 1 ? (2, 0) : (0, 0);
        var channel = Channel([3, 4, 5], 2, 0, Normal);
        var window = Window(8, Normal);
        window[3 * K + FrameSignals.RowShift(Grid, 1)] = 9; // one pair's peak on the next part
        window[FrameSignals.RowShift(Grid, 1)] = -40; // frame 0's shift leads in from before the window

        Assert.Equal(0, channel.Change(window), 6);
    }

    [Fact]
    public void Without_a_belt_or_with_its_regions_left_out_nothing_is_measured()
    {
        (float, float) Normal(int s) => s == 1 ? (2, 0) : (0, 0);
        var still = Channel([], 0, 0, Normal);
        var belt = Channel([3, 4, 5], 2, 0, Normal);
        var stopped = Window(8, _ => (0f, 0f));
        var scored = new bool[Grid * Grid];
        scored[0] = true;

        Assert.Equal(0, still.Change(stopped));
        Assert.True(still.Regions.IsEmpty);
        Assert.Equal(0, belt.Change(stopped, scored));
        Assert.Equal(-1, belt.Change(stopped), 6);
    }

    [Fact]
    public void Reading_a_window_allocates_nothing()
    {
        (float, float) Normal(int s) => s == 1 ? (2, 0) : (0, 0);
        var channel = Channel([3, 4, 5], 2, 0, Normal);
        var window = Window(8, Normal);
        channel.Change(window);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < 1000; k++) channel.Change(window);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_strip_that_hardly_shifts_on_normal_days_measures_nothing()
    {
        // The regions' flow says belt, but the strip's correlation saw next to no shift (a belt without texture): its
        // changes would be ratios of noise.
        var channel = Channel([3, 4, 5], 2, 0, s => s == 1 ? (0.1f, 0f) : (0f, 0f));

        Assert.True(channel.Regions.IsEmpty);
        Assert.Equal(0, channel.Change(Window(8, _ => (0f, 0f))));
    }
}
