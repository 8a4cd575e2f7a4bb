using System.Diagnostics;
using LineWatch.Events;
using LineWatch.Processing;

namespace LineWatch.Tests.Events;

public sealed class ScoreTimelineTests
{
    private static WindowResult Window(int camera, double score) => new()
    {
        CameraIndex = camera, Camera = $"cam{camera}", Score = score, FrameTicks = new[] { Stopwatch.GetTimestamp() }, AnomalyMap = new float[] { (float)score },
    };

    [Fact]
    public void A_slot_passed_to_a_new_camera_starts_with_an_empty_chart_and_map_while_the_others_keep_theirs()
    {
        var timeline = new ScoreTimeline(2);
        timeline.OnWindow(Window(0, 0.5));
        timeline.OnWindow(Window(1, 0.7));

        timeline.Forget(1);

        Assert.Empty(timeline.Since(1, DateTimeOffset.MinValue));
        Assert.Empty(timeline.LatestMap(1));
        Assert.Single(timeline.Since(0, DateTimeOffset.MinValue));
        timeline.OnWindow(Window(1, 0.2));
        Assert.Equal([0.2f], timeline.Since(1, DateTimeOffset.MinValue).Select(p => p.Score));
    }
}
