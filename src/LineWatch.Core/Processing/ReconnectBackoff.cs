namespace LineWatch.Processing;

/// <summary>
/// Waits between reconnect attempts: 1 s, 2 s, 4 s … up to a maximum, each with ±20% jitter so cameras that
/// failed together (a switch reboot) do not all retry in the same instant.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan maximum, Random? random = null)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public TimeSpan Next()
    {
        var doubled = First.TotalSeconds * Math.Pow(2, Math.Min(_attempt++, 20));
        var seconds = Math.Min(maximum.TotalSeconds, doubled);
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * _random.NextDouble()));
    }

    public void Reset() => _attempt = 0;
}
