using LineWatch.Processing;

namespace LineWatch.Tests.Processing;

public class InferenceQueueTests
{
    private static readonly ClipShape Shape = new(1, 1);

    private static Clip ClipOf(ClipPool pool, int camera, long sequence)
    {
        var clip = pool.Rent();
        clip.CameraIndex = camera;
        clip.Sequence = sequence;
        return clip;
    }

    [Fact]
    public void A_full_queue_drops_the_oldest_clip_of_the_busiest_camera_and_counts_it()
    {
        var pool = new ClipPool(Shape);
        var stats = new[] { new CameraStats("a"), new CameraStats("b") };
        var queue = new InferenceQueue(capacity: 4, pool, stats);
        queue.Enqueue(ClipOf(pool, 0, 1));
        queue.Enqueue(ClipOf(pool, 1, 1));
        queue.Enqueue(ClipOf(pool, 1, 2));
        queue.Enqueue(ClipOf(pool, 1, 3));

        queue.Enqueue(ClipOf(pool, 0, 2)); // full: camera b has three waiting, so b's oldest (1) goes

        Assert.Equal(4, queue.Count);
        Assert.Equal(0, stats[0].ClipsDropped);
        Assert.Equal(1, stats[1].ClipsDropped);
        var batch = new Clip[4];
        Assert.Equal(4, queue.TakeBatch(batch, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(["a1", "b2", "b3", "a2"], batch.Select(c => $"{(c.CameraIndex == 0 ? "a" : "b")}{c.Sequence}").ToArray());
    }

    [Fact]
    public void A_batch_takes_what_is_there_up_to_its_size_and_waits_at_most_the_given_time()
    {
        var pool = new ClipPool(Shape);
        var queue = new InferenceQueue(8, pool, [new CameraStats("a")]);
        for (var i = 1; i <= 3; i++) queue.Enqueue(ClipOf(pool, 0, i));

        var batch = new Clip[2];
        Assert.Equal(2, queue.TakeBatch(batch, TimeSpan.FromSeconds(5), CancellationToken.None));
        var started = DateTime.UtcNow;
        Assert.Equal(1, queue.TakeBatch(batch, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "a partial batch must not wait longer than asked");
        Assert.Equal(3, batch[0].Sequence);
    }

    [Fact]
    public void A_slot_passed_to_a_new_camera_has_the_removed_cameras_waiting_clips_dropped_and_the_rest_wait_on()
    {
        var pool = new ClipPool(Shape);
        var stats = new[] { new CameraStats("a"), new CameraStats("b") };
        var queue = new InferenceQueue(8, pool, stats);
        queue.Enqueue(ClipOf(pool, 1, 1));
        queue.Enqueue(ClipOf(pool, 0, 1));
        queue.Enqueue(ClipOf(pool, 1, 2));

        queue.Forget(1);

        Assert.Equal(1, queue.Count);
        Assert.Equal(0, stats[1].ClipsDropped); // not dropped for a full queue: its camera is gone
        var batch = new Clip[4];
        Assert.Equal(1, queue.TakeBatch(batch, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal((0, 1L), (batch[0].CameraIndex, batch[0].Sequence));
        // The dropped clips went back to the pool: the next two rented are they.
        pool.Rent();
        pool.Rent();
        Assert.Equal(3, pool.Created);
    }

    [Fact]
    public void Taking_from_an_empty_queue_ends_when_cancelled()
    {
        var queue = new InferenceQueue(2, new ClipPool(Shape), [new CameraStats("a")]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, queue.TakeBatch(new Clip[2], TimeSpan.Zero, cancel.Token));
    }

    [Fact]
    public void Clips_go_back_to_the_pool_so_steady_state_allocates_none()
    {
        var pool = new ClipPool(Shape);
        var queue = new InferenceQueue(2, pool, [new CameraStats("a")]);
        var batch = new Clip[2];
        for (var round = 0; round < 100; round++)
        {
            queue.Enqueue(ClipOf(pool, 0, round));
            queue.Enqueue(ClipOf(pool, 0, round));
            queue.Enqueue(ClipOf(pool, 0, round)); // one dropped, returned to the pool
            var n = queue.TakeBatch(batch, TimeSpan.Zero, CancellationToken.None);
            for (var i = 0; i < n; i++) pool.Return(batch[i]);
        }
        Assert.Equal(3, pool.Created);
    }
}
