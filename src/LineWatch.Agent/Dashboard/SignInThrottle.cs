using System.Net;
using System.Net.Sockets;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// Limits password attempts per client address. Each costs a PBKDF2 run, deliberately slow, so unlimited wrong
/// guesses would take the CPU from inference. An attempt counts from the moment it starts, so a burst of
/// parallel requests is held to the limit too, until a right password clears the address. After
/// <c>maxAttempts</c> within <c>window</c> the address waits until its oldest attempt is <c>window</c> old.
/// An IPv6 client is counted by its /64, since one host commonly has all of one. At most <c>maxAddresses</c>
/// addresses are tracked: when that many have recent attempts, a new address waits a whole window too. That is
/// a guessing attack from many addresses, and the CPU matters more then than a new sign-in (operators already
/// signed in are remembered by <see cref="DashboardAuth"/> and never reach this).
/// </summary>
internal sealed class SignInThrottle(int maxAttempts, TimeSpan window, int maxAddresses, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Queue<DateTimeOffset>> _attempts = [];

    /// <summary>Starts an attempt from <paramref name="client"/> (null: not a TCP client); false and the wait when it must not.</summary>
    public bool TryStart(IPAddress? client, out TimeSpan retryAfter)
    {
        var key = Key(client);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_attempts.TryGetValue(key, out var recent))
            {
                if (_attempts.Count >= maxAddresses) ForgetQuietAddresses(now);
                if (_attempts.Count >= maxAddresses)
                {
                    retryAfter = window;
                    return false;
                }
                _attempts[key] = recent = new Queue<DateTimeOffset>(maxAttempts);
            }
            while (recent.Count > 0 && recent.Peek() <= now - window) recent.Dequeue();
            if (recent.Count >= maxAttempts)
            {
                retryAfter = recent.Peek() + window - now;
                return false;
            }
            recent.Enqueue(now);
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>The password was right: the address's earlier attempts no longer count.</summary>
    public void Succeeded(IPAddress? client)
    {
        lock (_lock) _attempts.Remove(Key(client));
    }

    private void ForgetQuietAddresses(DateTimeOffset now)
    {
        foreach (var (address, recent) in _attempts)
        {
            if (recent.Count == 0 || recent.Last() <= now - window) _attempts.Remove(address);
        }
    }

    private static IPAddress Key(IPAddress? client)
    {
        // Clients without an address (a Unix socket) are one client: that socket's users share the limit.
        if (client is null) return IPAddress.None;
        if (client.IsIPv4MappedToIPv6) return client.MapToIPv4();
        if (client.AddressFamily != AddressFamily.InterNetworkV6) return client;
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
