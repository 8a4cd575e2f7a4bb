namespace LineWatch.Processing;

/// <summary>
/// Waits between reconnect attempts (cameras, the MQTT broker): 1 s, 2 s, 4 s … up to a maximum, back to 1 s after
/// <see cref="Reset"/> (a connection that was up). Each wait is shortened by up to a quarter at random, so clients
/// that failed together (a switch reboot, a broker restart) do not all retry in the same instant, and the maximum
/// stays a true maximum.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan maximum, Random? random = null)
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public TimeSpan Next()
    {
        var nominal = Math.Min(maximum.TotalSeconds, First.TotalSeconds * Math.Pow(2, Math.Min(_attempt++, 20)));
        return TimeSpan.FromSeconds(nominal * (1 - 0.25 * _random.NextDouble()));
    }

    public void Reset() => _attempt = 0;
}
