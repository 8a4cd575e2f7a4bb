using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using LineWatch.Configuration;
using MQTTnet;
using MQTTnet.Exceptions;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Says in words why a connection attempt failed, was refused or ended — the name that does not resolve, the
/// certificate that does not verify, the broker's reason code — for logs and <c>linewatch check</c>. Nothing here
/// quotes the configuration beyond host, port and file names, so a password never appears.
/// </summary>
internal static class MqttFailure
{
    public static string Of(Exception exception, MqttOptions options, BrokerCertificateCheck certificates)
    {
        var root = Innermost(exception);
        return root switch
        {
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } e =>
                $"the host name '{options.Host}' does not resolve ({e.Message})",
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => $"nothing accepts connections on {options.Host}:{options.Port}",
            SocketException { SocketErrorCode: SocketError.ConnectionReset } when options.Tls.Enabled =>
                $"the broker closed the connection during the TLS handshake (is {options.Host}:{options.Port} a TLS listener?)",
            SocketException e => $"{e.Message} ({e.SocketErrorCode})",
            AuthenticationException e => certificates.TakeRejection() ?? $"the TLS handshake failed: {e.Message}",
            InvalidDataException e => e.Message,
            OperationCanceledException or MqttCommunicationTimedOutException =>
                $"no answer from {options.Host}:{options.Port} within {MqttClientSettings.ConnectTimeout.TotalSeconds:0} s",
            _ when certificates.TakeRejection() is { } rejected => rejected,
            _ => root.Message.Length > 0 ? root.Message : root.GetType().Name,
        };
    }

    /// <summary>The CONNACK's reason, e.g. "Not authorized", with the broker's own words when it sent some (MQTT 5).</summary>
    public static string Of(MqttClientConnectResult refusal) => Reason(refusal.ResultCode, refusal.ReasonString);

    public static string Of(MqttClientDisconnectedEventArgs ended, MqttOptions options, BrokerCertificateCheck certificates) => ended switch
    {
        { Exception: { } e } => Of(e, options, certificates),
        { Reason: not MqttClientDisconnectReason.NormalDisconnection } => $"the broker disconnected: {Reason(ended.Reason, ended.ReasonString)}",
        _ => "the broker closed the connection",
    };

    /// <summary>An MQTT reason code in words, with the broker's own explanation when it sent one (MQTT 5 reason string).</summary>
    public static string Reason(Enum code, string? brokerWords) =>
        string.IsNullOrEmpty(brokerWords) ? Words(code.ToString()) : $"{Words(code.ToString())} ({brokerWords})";

    /// <summary>MQTTnet's reason names as the MQTT specification words them: NotAuthorized -> "Not authorized".</summary>
    public static string Words(string reasonName)
    {
        var words = Regex.Split(reasonName.Replace("QoS", "Qos", StringComparison.Ordinal), "(?<=[a-z])(?=[A-Z])");
        return string.Join(' ', words.Select((w, i) => i == 0 ? w : w.ToLowerInvariant())).Replace("qos", "QoS", StringComparison.Ordinal).Replace("Qos", "QoS", StringComparison.Ordinal);
    }

    /// <summary>MQTTnet wraps the socket's or the TLS stack's exception, sometimes twice; the innermost says what happened.</summary>
    private static Exception Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is { } inner && e is MqttCommunicationException or AggregateException or IOException) e = inner;
        return e;
    }
}
