namespace LineWatch.IntegrationTests.Support;

/// <summary>Polls a condition that real components reach in their own time; a timeout names what was awaited.</summary>
internal static class Eventually
{
    public static void True(Func<bool> condition, TimeSpan timeout, string what) => True(condition, timeout, () => what);

    /// <param name="what">Called only at the timeout, so it can tell the state then (what is still missing), not at the start.</param>
    public static void True(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what()}");
            Thread.Sleep(20);
        }
    }
}
