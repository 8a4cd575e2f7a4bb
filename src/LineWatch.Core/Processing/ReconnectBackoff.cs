namespace LineWatch.Processing;

/// <summary>
/// Waits between reconnect attempts (cameras, the MQTT broker): 1 s, 2 s, 4 s … up to a maximum, back to 1 s once a
/// connection has stayed up for <see cref="Stable"/>. A peer that accepts and drops at once (a camera whose encoder
/// crashes on the first frame, a broker that closes every session) keeps the waits growing instead of being
/// hammered at the shortest one. Each wait is shortened by up to a quarter at random, so clients that failed
/// together (a switch reboot, a broker restart) do not all retry in the same instant, and the maximum stays a true maximum.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan maximum, TimeProvider time, Random? random = null)
{
    /// <summary>How long a connection must last to count as working again.</summary>
    public static readonly TimeSpan Stable = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;
    private long? _connectedAt;

    /// <summary>The wait before the next attempt, after an attempt failed or a connection ended.</summary>
    public TimeSpan Next()
    {
        if (_connectedAt is { } since && time.GetElapsedTime(since) >= Stable) _attempt = 0;
        _connectedAt = null;
        var nominal = Math.Min(maximum.TotalSeconds, First.TotalSeconds * Math.Pow(2, Math.Min(_attempt++, 20)));
        return TimeSpan.FromSeconds(nominal * (1 - 0.25 * _random.NextDouble()));
    }

    /// <summary>A connection is established (a camera's first frame, a broker's CONNACK).</summary>
    public void Connected() => _connectedAt = time.GetTimestamp();
}
