namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Picks the uplink's failures out of the embedded Mosquitto's log, which the agent otherwise keeps at debug level:
/// a wrong password or an unreachable central broker must reach the operator. The bridge is the embedded broker's
/// only outgoing connection, so its refusals and connection errors are the uplink's. Mosquitto tries again every few
/// seconds while the uplink is down; one reason is reported again only after <see cref="Repeat"/>.
/// </summary>
public sealed class UplinkFailureLog(TimeProvider clock)
{
    public static readonly TimeSpan Repeat = TimeSpan.FromMinutes(5);

    private static readonly string[] Failures = ["Connection Refused", "Error creating bridge"];
    private readonly Dictionary<string, DateTimeOffset> _reported = new(StringComparer.Ordinal);

    /// <summary>The failure that <paramref name="line"/> (one line of Mosquitto's log) reports and that is due to be told, or null.</summary>
    public string? Failure(string line)
    {
        // Mosquitto starts each line with a timestamp and ": ".
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        var message = colon < 0 ? line : line[(colon + 2)..];
        if (!Failures.Any(f => message.StartsWith(f, StringComparison.Ordinal))) return null;
        var now = clock.GetUtcNow();
        lock (_reported)
        {
            if (_reported.TryGetValue(message, out var last) && now - last < Repeat) return null;
            _reported[message] = now;
        }
        return message;
    }
}
