using System.Runtime.InteropServices;

namespace LineWatch.Interop;

/// <summary>P/Invoke declarations for Eclipse Mosquitto's client library (Debian libmosquitto1, mosquitto.h 2.0).</summary>
internal static unsafe partial class MosquittoNative
{
    private const string Library = "libmosquitto.so.1";

    public const int Success = 0;
    public const int OptionProtocolVersion = 1;  // MOSQ_OPT_PROTOCOL_VERSION
    public const int ProtocolV311 = 4;           // MQTT_PROTOCOL_V311
    public const int ProtocolV5 = 5;             // MQTT_PROTOCOL_V5

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_version")]
    public static partial int LibVersion(out int major, out int minor, out int revision);

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_init")]
    public static partial int LibInit();

    [LibraryImport(Library, EntryPoint = "mosquitto_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint New(string? id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint userData);

    [LibraryImport(Library, EntryPoint = "mosquitto_destroy")]
    public static partial void Destroy(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_int_option")]
    public static partial int IntOption(nint mosq, int option, int value);

    [LibraryImport(Library, EntryPoint = "mosquitto_username_pw_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UsernamePasswordSet(nint mosq, string? username, string? password);

    [LibraryImport(Library, EntryPoint = "mosquitto_tls_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TlsSet(nint mosq, string? caFile, string? caPath, string? certFile, string? keyFile, nint passwordCallback);

    [LibraryImport(Library, EntryPoint = "mosquitto_tls_insecure_set")]
    public static partial int TlsInsecureSet(nint mosq, [MarshalAs(UnmanagedType.U1)] bool insecure);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Connect(nint mosq, string host, int port, int keepAlive);

    [LibraryImport(Library, EntryPoint = "mosquitto_disconnect")]
    public static partial int Disconnect(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop")]
    public static partial int Loop(nint mosq, int timeoutMs, int maxPackets);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect_callback_set")]
    public static partial void ConnectCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect_async", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ConnectAsync(nint mosq, string host, int port, int keepAlive);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop_start")]
    public static partial int LoopStart(nint mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop_stop")]
    public static partial int LoopStop(nint mosq, [MarshalAs(UnmanagedType.U1)] bool force);

    [LibraryImport(Library, EntryPoint = "mosquitto_reconnect_delay_set")]
    public static partial int ReconnectDelaySet(nint mosq, uint delay, uint delayMax, [MarshalAs(UnmanagedType.U1)] bool exponential);

    [LibraryImport(Library, EntryPoint = "mosquitto_will_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WillSet(nint mosq, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);

    [LibraryImport(Library, EntryPoint = "mosquitto_publish", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Publish(nint mosq, out int mid, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);

    [LibraryImport(Library, EntryPoint = "mosquitto_disconnect_callback_set")]
    public static partial void DisconnectCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_publish_callback_set")]
    public static partial void PublishCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, void> callback);

    public const int SubscribeRetainAsPublished = 0x08; // MQTT_SUB_OPT_RETAIN_AS_PUBLISHED (MQTT 5 only)

    [LibraryImport(Library, EntryPoint = "mosquitto_subscribe_v5", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Subscribe(nint mosq, out int mid, string pattern, int qos, int options, nint properties);

    [LibraryImport(Library, EntryPoint = "mosquitto_message_callback_set")]
    public static partial void MessageCallbackSet(nint mosq, delegate* unmanaged<nint, nint, Message*, void> callback);

    /// <summary>struct mosquitto_message (mosquitto.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Message
    {
        public int Mid;
        public byte* Topic;
        public byte* Payload;
        public int PayloadLength;
        public int Qos;
        [MarshalAs(UnmanagedType.U1)] public bool Retain;
    }

    public const int LogError = 0x08;            // MOSQ_LOG_ERR

    /// <summary>libmosquitto reports the why of TLS failures (OpenSSL's reason) only through its log callback.</summary>
    [LibraryImport(Library, EntryPoint = "mosquitto_log_callback_set")]
    public static partial void LogCallbackSet(nint mosq, delegate* unmanaged<nint, nint, int, byte*, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_strerror")]
    public static partial byte* StrError(int error);

    [LibraryImport(Library, EntryPoint = "mosquitto_connack_string")]
    public static partial byte* ConnackString(int code);

    public static string ErrorText(int error) => Marshal.PtrToStringUTF8((nint)StrError(error)) ?? $"mosquitto error {error}";
    [LibraryImport(Library, EntryPoint = "mosquitto_reason_string")]
    public static partial byte* ReasonString(int code);

    /// <summary>MQTT 3.1.1 CONNACK codes and MQTT 5 reason codes overlap in number but not in meaning.</summary>
    public static string ConnackText(int code, string protocolVersion) =>
        Marshal.PtrToStringUTF8((nint)(protocolVersion == "5" ? ReasonString(code) : ConnackString(code))) ?? $"CONNACK {code}";
}
