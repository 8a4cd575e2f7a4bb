using LineWatch.Events;

namespace LineWatch.Tests.Events;

/// <summary>What is kept of alerts for feedback: the right windows, in memory that later alerts reuse without mixing them up.</summary>
public sealed class KeptWindowsTests
{
    /// <summary>A window whose features say which it is: every token and signal is <paramref name="mark"/>.</summary>
    private static (float[] Tokens, float[] Signals) Marked(float mark) => (Enumerable.Repeat(mark, 12).ToArray(), Enumerable.Repeat(mark, 4).ToArray());

    private static void Keep(KeptWindows kept, string alertId, double score, int camera = 0)
    {
        var (tokens, signals) = Marked((float)score);
        kept.Keep(alertId, camera, score, tokens, signals);
    }

    private static float[] Marks(KeptWindows.KeptAlert alert) =>
        Enumerable.Range(0, alert.Count).Select(i => alert.Tokens(i)[0]).Order().ToArray();

    [Fact]
    public void An_alert_keeps_its_highest_scoring_windows_whole()
    {
        var kept = new KeptWindows(alertsKept: 4, windowsPerAlert: 3);
        foreach (var score in new[] { 5, 1, 7, 3, 9, 2, 6 }) Keep(kept, "a", score, camera: 2);

        var alert = Assert.IsType<KeptWindows.KeptAlert>(kept.Take("a"));
        Assert.Equal((2, 3), (alert.Camera, alert.Count));
        Assert.Equal([6f, 7f, 9f], Marks(alert));
        for (var i = 0; i < alert.Count; i++)
        {
            Assert.All(alert.Tokens(i).ToArray(), t => Assert.Equal(alert.Tokens(i)[0], t));
            Assert.All(alert.Signals(i).ToArray(), s => Assert.Equal(alert.Tokens(i)[0], s));
        }
    }

    [Fact]
    public void A_new_alert_takes_the_place_of_the_oldest_and_starts_with_none_of_its_windows()
    {
        var kept = new KeptWindows(alertsKept: 2, windowsPerAlert: 3);
        foreach (var score in new[] { 10, 11, 12 }) Keep(kept, "a", score);
        foreach (var score in new[] { 20, 21 }) Keep(kept, "b", score);
        Keep(kept, "c", 30);

        Assert.Null(kept.Take("a"));
        Assert.Equal([30f], Marks(kept.Take("c")!));
        Assert.Equal([20f, 21f], Marks(kept.Take("b")!));
    }

    [Fact]
    public void A_taken_alert_is_kept_no_longer_and_its_memory_serves_a_later_alert_once_returned()
    {
        var kept = new KeptWindows(alertsKept: 2, windowsPerAlert: 2);
        foreach (var score in new[] { 1, 2 }) Keep(kept, "a", score);
        var taken = kept.Take("a")!;
        Assert.Null(kept.Take("a"));

        // While taken, it is the taker's alone: later alerts do not write into it.
        foreach (var score in new[] { 5, 6 }) Keep(kept, "b", score);
        foreach (var score in new[] { 7, 8 }) Keep(kept, "c", score);
        Assert.Equal([1f, 2f], Marks(taken));

        kept.Return(taken);
        Keep(kept, "d", 9); // in b's place, the oldest
        Assert.Equal([7f, 8f], Marks(kept.Take("c")!));
        Keep(kept, "e", 10); // in c's place, emptied: the returned memory serves it
        var e = kept.Take("e")!;
        Assert.Same(taken, e);
        Assert.Equal([10f], Marks(e));
        Assert.Equal([9f], Marks(kept.Take("d")!));
    }
}
