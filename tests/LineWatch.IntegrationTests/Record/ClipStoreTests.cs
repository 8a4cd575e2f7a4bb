using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using LineWatch.Record;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Record;

/// <summary>Clip retention on real files: by age, by the disk cap (oldest first), and the free-space floor.</summary>
public sealed class ClipStoreTests : IDisposable
{
    private const int Megabyte = 1024 * 1024;
    private readonly TempDirectory _dir = new();

    private static string Id(int n) => n.ToString("x32");

    private string Clip(ClipStore store, string camera, int n, int megabytes, DateTime written)
    {
        var path = store.PathOf(camera, Id(n));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[megabytes * Megabyte]);
        File.SetLastWriteTimeUtc(path, written);
        return path;
    }

    [Fact]
    public void Over_the_disk_cap_the_oldest_clips_go_first_across_cameras_until_the_rest_fit()
    {
        var store = new ClipStore(_dir.Path, new ClipOptions { MaxDiskMegabytes = 9 }, NullLogger<ClipStore>.Instance);
        var now = DateTime.UtcNow;
        var oldest = Clip(store, "press", 1, 4, now.AddHours(-4));
        var second = Clip(store, "belt", 2, 4, now.AddHours(-3));
        var third = Clip(store, "press", 3, 4, now.AddHours(-2));
        var newest = Clip(store, "belt", 4, 2, now.AddHours(-1));

        store.Prune();

        // 14 MB over a 9 MB cap: the oldest goes (10 MB left, still over), then the next (6 MB left).
        Assert.False(File.Exists(oldest));
        Assert.False(File.Exists(second));
        Assert.True(File.Exists(third));
        Assert.True(File.Exists(newest));
        Assert.Equal(6L * Megabyte, store.TotalBytes());
        Assert.Equal(2, store.Deleted);
        Assert.Null(store.Find("press", Id(1)));
        Assert.Equal(third, store.Find("press", Id(3)));
    }

    [Fact]
    public void Clips_past_their_days_go_and_parts_left_by_a_crash_go_after_an_hour()
    {
        var store = new ClipStore(_dir.Path, new ClipOptions { RetentionDays = 2 }, NullLogger<ClipStore>.Instance);
        var now = DateTime.UtcNow;
        var expired = Clip(store, "press", 1, 1, now.AddDays(-3));
        var kept = Clip(store, "press", 2, 1, now.AddDays(-1));
        var abandoned = store.PartPathOf("press", Id(3));
        File.WriteAllBytes(abandoned, new byte[100]);
        File.SetLastWriteTimeUtc(abandoned, now.AddHours(-2));
        var writing = store.PartPathOf("press", Id(4));
        File.WriteAllBytes(writing, new byte[100]);

        store.Prune();

        Assert.False(File.Exists(expired));
        Assert.True(File.Exists(kept));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(writing), "a part being written now was deleted");
        Assert.Null(store.Find("press", Id(4))); // a part is no clip until complete
    }

    [Fact]
    public void Below_the_free_space_floor_there_is_no_room_and_the_writer_skips_the_clip()
    {
        var free = new ClipStore(_dir.Path, new ClipOptions(), NullLogger<ClipStore>.Instance).FreeBytes();
        var options = new ClipOptions { Enabled = true, MinFreeDiskMegabytes = free / Megabyte + 1024 };
        var store = new ClipStore(_dir.Path, options, NullLogger<ClipStore>.Instance);
        Assert.False(store.HasRoom(out var reason));
        Assert.Contains("Clips:MinFreeDiskMegabytes", reason);

        using var recording = new CameraRecording("press", options, null);
        recording.Open(640, 360, 25);
        using var writer = new ClipWriter(recording, options, store, NullLogger.Instance);
        writer.Start();
        writer.Begin(Id(9), System.Diagnostics.Stopwatch.GetTimestamp());
        Eventually.True(() => writer.Skipped == 1, TimeSpan.FromSeconds(10), "the clip skipped for want of space");
        Assert.False(Directory.Exists(Path.Combine(store.Root, "press")) && Directory.EnumerateFiles(Path.Combine(store.Root, "press")).Any());
    }

    public void Dispose() => _dir.Dispose();
}
