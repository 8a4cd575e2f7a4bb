using System.Net.Sockets;
using System.Text;
using LineWatch.Agent.Hosting;

namespace LineWatch.Tests.Hosting;

/// <summary>The sd_notify protocol against a real unix datagram socket, as systemd listens on one.</summary>
public sealed class NotifySocketTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linewatch-notify-").FullName;

    [Fact]
    public void A_message_arrives_as_one_datagram_at_a_socket_path()
    {
        var path = Path.Combine(_dir, "notify");
        using var manager = Listen(new UnixDomainSocketEndPoint(path));
        using var notify = NotifySocket.Open(path)!;

        notify.Send("READY=1\nSTATUS=4/4 cameras streaming");
        notify.Send("WATCHDOG=1");

        Assert.Equal("READY=1\nSTATUS=4/4 cameras streaming", Receive(manager));
        Assert.Equal("WATCHDOG=1", Receive(manager));
    }

    [Fact]
    public void An_address_starting_with_at_is_in_the_abstract_namespace()
    {
        var name = "linewatch-test-" + Guid.NewGuid().ToString("N");
        using var manager = Listen(new UnixDomainSocketEndPoint("\0" + name));
        using var notify = NotifySocket.Open("@" + name)!;

        notify.Send("STOPPING=1");

        Assert.Equal("STOPPING=1", Receive(manager));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "@" + name)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("@")]
    [InlineData("relative/notify")]
    public void No_usable_socket_means_no_notifications(string? address) => Assert.Null(NotifySocket.Open(address));

    [Fact]
    public void A_socket_nobody_listens_on_fails_with_a_socket_error()
    {
        using var notify = NotifySocket.Open(Path.Combine(_dir, "gone"))!;
        Assert.ThrowsAny<SocketException>(() => notify.Send("WATCHDOG=1"));
    }

    [Theory]
    [InlineData("30000000", null, 15.0)]
    [InlineData("30000000", "", 15.0)]
    [InlineData("2000000", "4242", 1.0)]
    [InlineData("30000000", "1", null)] // meant for another process
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    [InlineData(null, null, null)]
    public void The_watchdog_is_pinged_at_half_its_period_and_only_by_the_process_it_is_for(string? usec, string? pid, double? seconds) =>
        Assert.Equal(seconds, SystemdNotifier.WatchdogPeriod(usec, pid, ownPid: 4242)?.TotalSeconds);

    private static Socket Listen(UnixDomainSocketEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        socket.Bind(endpoint);
        return socket;
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        var length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
