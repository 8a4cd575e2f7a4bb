using System.Net;

namespace LineWatch.Configuration;

/// <summary>
/// Whether a host, as a listen URL or an HTTP Host header names it, is this machine's loopback: <c>localhost</c> or
/// a loopback address (127.0.0.0/8, ::1), with or without IPv6 brackets. Any other name is not, whatever it resolves
/// to now: the web server binds every interface for a name it cannot parse as an address, and a name a browser
/// resolves to 127.0.0.1 today may be an attacker's (DNS rebinding).
/// </summary>
public static class LoopbackHost
{
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (host.StartsWith('[') == host.EndsWith(']') && IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
