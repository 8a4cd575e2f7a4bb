namespace LineWatch.Comms.Mqtt;

/// <summary>
/// The waits between connection attempts: 1 s, doubling up to 30 s, back to 1 s once a connection was up. Each wait
/// is shortened by up to a quarter at random, so agents that lost the same broker do not all return in the same instant.
/// </summary>
internal sealed class ReconnectBackoff(Random random)
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private TimeSpan _nominal = First;

    public TimeSpan Next()
    {
        var wait = _nominal * (1 - 0.25 * random.NextDouble());
        _nominal = _nominal * 2 < Longest ? _nominal * 2 : Longest;
        return wait;
    }

    public void Reset() => _nominal = First;
}
