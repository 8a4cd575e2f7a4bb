using LineWatch.Events;
using LineWatch.Processing;

namespace LineWatch.IntegrationTests.Events;

/// <summary>The snapshot an alert's start and update events carry, rendered on the inference thread with the real JPEG encoder.</summary>
public sealed class AlertSnapshotTests
{
    private const int Width = 320, Height = 180;

    /// <summary>A window of 8 grey thumbnails and a map whose top-left patch is far above threshold.</summary>
    private static WindowResult Window()
    {
        var thumbnails = new byte[8 * ClipShape.ThumbnailBytes];
        Array.Fill(thumbnails, (byte)128);
        var map = new float[49];
        map[0] = 3;
        return new WindowResult
        {
            FrameTicks = new long[8], Thumbnails = thumbnails, ThumbnailWidth = Width, ThumbnailHeight = Height, AnomalyMap = map, WorstFrame = 5,
        };
    }

    [Fact]
    public void The_snapshot_overlays_the_map_on_the_worst_frame_without_a_copy_of_the_frame_each_time()
    {
        var window = Window();
        for (var i = 0; i < 3; i++) AlertSnapshot.Render(window);

        long jpegBytes = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) jpegBytes += AlertSnapshot.Render(window)!.Length;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The JPEGs themselves go out with the events; what else a render allocates stays far below a copy of
        // the frame (320x180 BGR, a large object only a full collection frees).
        Assert.True(allocated - jpegBytes < 20 * 4096, $"20 snapshots of {jpegBytes:N0} bytes of JPEG allocated {allocated:N0} bytes");

        using var dir = new Support.TempDirectory();
        var path = dir.File("snapshot.jpg");
        File.WriteAllBytes(path, AlertSnapshot.Render(window)!);
        using var decoded = LineWatch.Capture.VideoSource.Open(path);
        Assert.True(decoded.TryRead(out var image));
        Assert.Equal((Width, Height), (image.Width, image.Height));
    }
}
