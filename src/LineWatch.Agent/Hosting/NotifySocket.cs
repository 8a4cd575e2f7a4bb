using System.Net.Sockets;
using System.Text;

namespace LineWatch.Agent.Hosting;

/// <summary>
/// The service manager's notification socket (<c>$NOTIFY_SOCKET</c>, sd_notify(3)): each message is one
/// datagram of newline-separated <c>KEY=value</c> assignments sent to a unix socket. Spoken here in managed
/// code so the agent needs no libsystemd. An address that starts with '@' is in Linux's abstract namespace.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    private NotifySocket(string address)
    {
        Address = address;
        // .NET writes an abstract address as a path that starts with NUL, where systemd writes '@'.
        _endpoint = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>As systemd gave it: a path, or '@' and an abstract name.</summary>
    public string Address { get; }

    /// <summary>The socket at <paramref name="address"/>, or null when there is none (not started by a service manager).</summary>
    public static NotifySocket? Open(string? address) =>
        string.IsNullOrEmpty(address) || (address[0] != '/' && address[0] != '@') || address.Length < 2 ? null : new NotifySocket(address);

    /// <exception cref="SocketException">The service manager is not listening there any more.</exception>
    public void Send(string message) => _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _endpoint);

    public void Dispose() => _socket.Dispose();
}
