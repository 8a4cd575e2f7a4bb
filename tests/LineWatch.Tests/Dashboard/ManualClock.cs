namespace LineWatch.Tests.Dashboard;

/// <summary>A clock that moves only when the test says so: expiry is tested without waiting.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
