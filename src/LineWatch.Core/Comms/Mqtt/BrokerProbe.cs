using LineWatch.Configuration;
using MQTTnet;

namespace LineWatch.Comms.Mqtt;

/// <summary>The outcome of one connection attempt: whether the broker accepted us, and if not, why.</summary>
public sealed record BrokerProbeResult(bool Connected, string Detail);

/// <summary>
/// Connects once to the configured broker with the configured credentials and TLS, waits for its CONNACK and
/// disconnects: what `linewatch check` uses to tell "unreachable" from "refused our credentials" from "does not
/// trust its certificate".
/// </summary>
public static class BrokerProbe
{
    public static BrokerProbeResult Probe(MqttOptions options, string clientId, TimeSpan timeout)
    {
        var endpoint = $"{options.Host}:{options.Port}";
        var certificates = new BrokerCertificateCheck(options);
        using var client = new MqttClientFactory().CreateMqttClient();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var settings = MqttClientSettings.Create(options, $"{clientId}-check-{Environment.ProcessId}", certificates).WithTimeout(timeout).Build();
            var result = client.ConnectAsync(settings, deadline.Token).GetAwaiter().GetResult();
            if (result.ResultCode != MqttClientConnectResultCode.Success) return new(false, $"{endpoint} refused the connection: {MqttFailure.Of(result)}");
            client.DisconnectAsync(new MqttClientDisconnectOptions(), deadline.Token).GetAwaiter().GetResult();
            return new(true, $"connected to {endpoint} (MQTT {options.ProtocolVersion}{(options.Tls.Enabled ? ", TLS" : "")})");
        }
        catch (OperationCanceledException)
        {
            return new(false, $"{endpoint} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e)
        {
            return new(false, $"cannot connect to {endpoint}: {MqttFailure.Of(e, options, certificates)}");
        }
    }
}
