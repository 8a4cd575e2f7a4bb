using LineWatch.Record;

namespace LineWatch.Tests.Record;

public sealed class PreRollRingTests
{
    private static byte[] Frame(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    [Fact]
    public void Frames_come_back_in_order_with_their_times()
    {
        var ring = new PreRollRing(frames: 4, bytes: 4096);
        for (var i = 0; i < 3; i++) ring.Append(Frame(100 + i, (byte)i), ticks: 1000 + i);
        var buffer = new byte[1];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(RingRead.Copied, ring.TryRead(i, ref buffer, out var length, out var ticks));
            Assert.Equal(100 + i, length);
            Assert.Equal(1000 + i, ticks);
            Assert.All(buffer[..length], b => Assert.Equal((byte)i, b));
        }
        Assert.Equal(RingRead.NotYet, ring.TryRead(3, ref buffer, out _, out _));
    }

    [Fact]
    public void A_full_table_overwrites_the_oldest_frames()
    {
        var ring = new PreRollRing(frames: 4, bytes: 4096);
        for (var i = 0; i < 6; i++) ring.Append(Frame(10, (byte)i), ticks: i);
        var buffer = new byte[10];
        Assert.Equal(2, ring.Oldest);
        Assert.Equal(RingRead.Overwritten, ring.TryRead(1, ref buffer, out _, out _));
        Assert.Equal(RingRead.Copied, ring.TryRead(2, ref buffer, out _, out var ticks));
        Assert.Equal(2, ticks);
        Assert.Equal(2, buffer[0]);
    }

    [Fact]
    public void A_full_arena_overwrites_the_oldest_frames_and_a_frame_never_wraps()
    {
        // 1,000 bytes, frames of 240: four fit; the fifth does not fit behind them and starts again at the beginning, over frame 0.
        var ring = new PreRollRing(frames: 100, bytes: 1000);
        for (var i = 0; i < 4; i++) ring.Append(Frame(240, (byte)(i + 1)), ticks: i);
        Assert.Equal(0, ring.Oldest);
        ring.Append(Frame(240, 5), ticks: 4);
        Assert.Equal(1, ring.Oldest);
        var buffer = Array.Empty<byte>();
        for (var i = 1; i < 5; i++)
        {
            Assert.Equal(RingRead.Copied, ring.TryRead(i, ref buffer, out var length, out _));
            Assert.Equal(240, length);
            Assert.All(buffer[..length], b => Assert.Equal((byte)(i + 1), b));
        }
        ring.Append(Frame(240, 9), ticks: 5);
        Assert.Equal(2, ring.Oldest);
        Assert.Equal(RingRead.Copied, ring.TryRead(5, ref buffer, out _, out _));
        Assert.All(buffer[..240], b => Assert.Equal(9, b));
        Assert.Equal(RingRead.Copied, ring.TryRead(2, ref buffer, out _, out _));
        Assert.All(buffer[..240], b => Assert.Equal(3, b));
    }

    [Fact]
    public void A_frame_larger_than_a_quarter_of_the_arena_is_not_kept_and_is_counted()
    {
        var ring = new PreRollRing(frames: 10, bytes: 4000);
        ring.Append(Frame(100, 1), ticks: 1);
        ring.Append(Frame(1001, 2), ticks: 2);
        Assert.Equal(1, ring.TooLarge);
        Assert.Equal(1, ring.Next);
        Assert.Equal(0, ring.Oldest);
    }

    [Fact]
    public void The_first_frame_at_or_after_a_time_is_found_and_the_seconds_held_are_measured()
    {
        var ring = new PreRollRing(frames: 10, bytes: 4096);
        var second = System.Diagnostics.Stopwatch.Frequency;
        for (var i = 0; i < 10; i++) ring.Append(Frame(10, 0), ticks: i * second / 2);
        Assert.Equal(0, ring.FirstAtOrAfter(-5));
        Assert.Equal(4, ring.FirstAtOrAfter(2 * second));
        Assert.Equal(5, ring.FirstAtOrAfter(2 * second + 1));
        Assert.Equal(10, ring.FirstAtOrAfter(100 * second));
        Assert.Equal(4.5, ring.HeldSeconds, 6);
    }
}
