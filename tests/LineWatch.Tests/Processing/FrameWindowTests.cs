using LineWatch.Processing;

namespace LineWatch.Tests.Processing;

public class FrameWindowTests
{
    private static readonly ClipShape Shape = new(Frames: 4, ImageSize: 2);

    /// <summary>Writes frame number f into every value of the frame, so the clip shows which frame went where.</summary>
    private static bool Push(FrameWindow window, int f)
    {
        window.NextSlot.Fill(f);
        return window.Commit(captureTicks: 1000 + f);
    }

    [Theory]
    [InlineData(1, new[] { 4, 5, 6, 7, 8, 9, 10 })]
    [InlineData(2, new[] { 4, 6, 8, 10 })]
    [InlineData(4, new[] { 4, 8 })]
    [InlineData(6, new[] { 4, 10 })]
    public void A_clip_is_due_once_the_window_is_full_and_then_every_stride_frames(int stride, int[] dueAfter)
    {
        var window = new FrameWindow(Shape, stride);
        var due = Enumerable.Range(1, 10).Where(f => Push(window, f)).ToArray();
        Assert.Equal(dueAfter, due);
    }

    [Fact]
    public void Clips_hold_the_last_T_frames_oldest_first_in_channel_major_layout()
    {
        var window = new FrameWindow(Shape, stride: 2);
        var clip = new ClipPool(Shape).Rent();
        for (var f = 1; f <= 6; f++) Push(window, f);
        window.CopyTo(clip);

        Assert.Equal([1003L, 1004, 1005, 1006], clip.FrameTicks);
        int plane = Shape.PlaneFloats, frames = Shape.Frames;
        for (var c = 0; c < 3; c++)
        for (var t = 0; t < frames; t++)
        {
            var values = clip.Data.AsSpan((c * frames + t) * plane, plane).ToArray();
            Assert.All(values, v => Assert.Equal(3 + t, v));
        }
    }

    [Fact]
    public void Reset_starts_a_new_window()
    {
        var window = new FrameWindow(Shape, stride: 1);
        for (var f = 1; f <= 5; f++) Push(window, f);
        window.Reset();
        Assert.False(Push(window, 6));
        Assert.False(Push(window, 7));
        Assert.False(Push(window, 8));
        Assert.True(Push(window, 9));
    }
}
