using System.Runtime.InteropServices;
using LineWatch.Configuration;
using LineWatch.Interop;

namespace LineWatch.Comms.Mqtt;

/// <summary>The outcome of one connection attempt: whether the broker accepted us, and if not, why.</summary>
public sealed record BrokerProbeResult(bool Connected, string Detail);

/// <summary>
/// Connects once to the configured broker with the configured credentials and TLS, waits for its CONNACK and
/// disconnects: what `linewatch check` uses to tell "unreachable" from "refused our credentials".
/// </summary>
public static unsafe class BrokerProbe
{
    private const int NoAnswer = int.MinValue;

    public static BrokerProbeResult Probe(MqttOptions options, string clientId, TimeSpan timeout)
    {
        MosquittoLibrary.EnsureInitialised();
        var handle = GCHandle.Alloc(new StrongBox<int>(NoAnswer));
        var mosq = MosquittoNative.New($"{clientId}-check-{Environment.ProcessId}", true, GCHandle.ToIntPtr(handle));
        if (mosq == 0)
        {
            handle.Free();
            return new(false, "libmosquitto could not create a client");
        }
        try
        {
            MosquittoNative.ConnectCallbackSet(mosq, &OnConnect);
            MosquittoNative.LogCallbackSet(mosq, &OnLog);
            MosquittoClientSettings.Apply(mosq, options);
            var rc = MosquittoNative.Connect(mosq, options.Host, options.Port, options.KeepAliveSeconds);
            if (rc != MosquittoNative.Success)
            {
                return new(false, $"cannot reach {options.Host}:{options.Port}: {MosquittoNative.ErrorText(rc)} ({LoggedError(handle) ?? Marshal.GetLastPInvokeErrorMessage()})");
            }
            var deadline = DateTime.UtcNow + timeout;
            var box = (StrongBox<int>)handle.Target!;
            while (box.Value == NoAnswer && DateTime.UtcNow < deadline)
            {
                rc = MosquittoNative.Loop(mosq, 100, 1);
                if (rc != MosquittoNative.Success && box.Value == NoAnswer)
                {
                    var detail = LoggedError(handle) is { } logged ? $" ({logged})" : "";
                    return new(false, $"{options.Host}:{options.Port} closed the connection: {MosquittoNative.ErrorText(rc)}{detail}");
                }
            }
            var connack = box.Value;
            MosquittoNative.Disconnect(mosq);
            if (connack == NoAnswer) return new(false, $"{options.Host}:{options.Port} did not answer within {timeout.TotalSeconds:0.#} s");
            return connack == 0
                ? new(true, $"connected to {options.Host}:{options.Port} (MQTT {options.ProtocolVersion}{(options.Tls.Enabled ? ", TLS" : "")})")
                : new(false, $"{options.Host}:{options.Port} refused the connection: {MosquittoNative.ConnackText(connack, options.ProtocolVersion)}");
        }
        catch (InvalidOperationException e)
        {
            return new(false, e.Message);
        }
        finally
        {
            MosquittoNative.Destroy(mosq);
            handle.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static void OnConnect(nint mosq, nint userData, int resultCode)
    {
        var box = (StrongBox<int>)GCHandle.FromIntPtr(userData).Target!;
        box.Value = resultCode;
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint mosq, nint userData, int level, byte* text)
    {
        if ((level & MosquittoNative.LogError) != 0) ((StrongBox<int>)GCHandle.FromIntPtr(userData).Target!).Error = Marshal.PtrToStringUTF8((nint)text);
    }

    private static string? LoggedError(GCHandle handle) => ((StrongBox<int>)handle.Target!).Error;

    private sealed class StrongBox<T>(T value)
    {
        public T Value = value;
        public string? Error;
    }
}
