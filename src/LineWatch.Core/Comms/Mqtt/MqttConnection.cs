using System.Runtime.InteropServices;
using System.Text;
using LineWatch.Configuration;
using LineWatch.Interop;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// A long-lived connection to the broker through libmosquitto's own network thread, which connects in the
/// background and reconnects with exponential backoff (1 s to 30 s) by itself. The availability topic is
/// handled here: a retained <c>offline</c> last will, a retained <c>online</c> on every (re)connect, and a
/// retained <c>offline</c> on a clean stop. Callbacks arrive on libmosquitto's thread and must be quick.
/// </summary>
public sealed unsafe class MqttConnection : IDisposable
{
    /// <summary>A received message; <paramref name="payload"/> is only valid during the call.</summary>
    public delegate void MessageHandler(string topic, ReadOnlySpan<byte> payload, bool retained);

    public const string Online = "online";
    public const string Offline = "offline";

    private readonly nint _mosq;
    private GCHandle _self;
    private readonly MqttOptions _options;
    private readonly string _availabilityTopic;
    private volatile bool _connected;
    private volatile bool _started, _disposed;
    private Timer? _retry;
    private TimeSpan _firstAttemptDelay = TimeSpan.FromSeconds(0.5);
    private readonly List<string> _subscriptions = [];
    private volatile string? _lastLibraryError;

    public MqttConnection(MqttOptions options, string clientId, string availabilityTopic)
    {
        MosquittoLibrary.EnsureInitialised();
        _options = options;
        _availabilityTopic = availabilityTopic;
        _self = GCHandle.Alloc(this);
        _mosq = MosquittoNative.New(clientId, true, GCHandle.ToIntPtr(_self));
        if (_mosq == 0)
        {
            _self.Free();
            throw new InvalidOperationException("libmosquitto could not create a client");
        }
        MosquittoClientSettings.Apply(_mosq, options);
        var will = Encoding.UTF8.GetBytes(Offline);
        fixed (byte* payload = will) MosquittoClientSettings.Check(MosquittoNative.WillSet(_mosq, availabilityTopic, will.Length, payload, 1, true), "last will");
        MosquittoClientSettings.Check(MosquittoNative.ReconnectDelaySet(_mosq, 1, 30, true), "reconnect delay");
        MosquittoNative.ConnectCallbackSet(_mosq, &OnConnect);
        MosquittoNative.DisconnectCallbackSet(_mosq, &OnDisconnect);
        MosquittoNative.PublishCallbackSet(_mosq, &OnPublish);
        MosquittoNative.MessageCallbackSet(_mosq, &OnMessage);
        MosquittoNative.LogCallbackSet(_mosq, &OnLog);
    }

    /// <summary>Raised on libmosquitto's thread for every message on a subscribed topic.</summary>
    public event MessageHandler? MessageReceived;

    /// <summary>Subscribes (QoS 1) on every connect; call before <see cref="Start"/>. A message's retained flag is true for
    /// a retained message replayed on subscribe and, with MQTT 5, for any message published with the retain flag.</summary>
    public void Subscribe(string pattern) => _subscriptions.Add(pattern);

    public bool IsConnected => _connected;

    /// <summary>Raised on every successful (re)connect, after <c>online</c> was published.</summary>
    public event Action? Connected;

    /// <summary>Raised with the CONNACK reason when the broker refuses the connection (bad credentials, …).</summary>
    public event Action<string>? Refused;

    /// <summary>Raised with libmosquitto's reason when the connection is lost (it reconnects by itself).</summary>
    public event Action<string>? Disconnected;

    /// <summary>
    /// Raised with libmosquitto's error when something fails on its network thread that it reports no other way,
    /// e.g. a TLS handshake refused because the broker's certificate does not verify against the configured CA.
    /// </summary>
    public event Action<string>? Failed;

    /// <summary>Raised with the message id when the broker acknowledged a QoS 1 message.</summary>
    public event Action<int>? Acknowledged;

    /// <summary>Starts connecting in the background; an unreachable broker is retried, not an error.</summary>
    public void Start()
    {
        MosquittoClientSettings.Check(MosquittoNative.LoopStart(_mosq), "network thread");
        _started = true;
        TryConnect(null);
    }

    /// <summary>
    /// libmosquitto's network thread reconnects after a connection is lost, but not when the very first
    /// attempt fails (broker not up yet); those first attempts are retried here, backing off to 30 s.
    /// </summary>
    private void TryConnect(object? _)
    {
        if (!_started || _disposed) return;
        var rc = MosquittoNative.ConnectAsync(_mosq, _options.Host, _options.Port, _options.KeepAliveSeconds);
        if (rc == MosquittoNative.Success) return;
        Raise(() => Disconnected?.Invoke(Reason(rc)));
        _firstAttemptDelay = TimeSpan.FromSeconds(Math.Min(30, Math.Max(1, _firstAttemptDelay.TotalSeconds * 2)));
        _retry?.Dispose();
        _retry = new Timer(TryConnect, null, _firstAttemptDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Publishes; returns the message id, or null when not connected (callers keep what must not be lost).</summary>
    public int? Publish(string topic, ReadOnlySpan<byte> payload, int qos, bool retain)
    {
        if (!_connected) return null;
        int rc, mid;
        fixed (byte* data = payload) rc = MosquittoNative.Publish(_mosq, out mid, topic, payload.Length, data, qos, retain);
        return rc == MosquittoNative.Success ? mid : null;
    }

    /// <summary>A clean stop: retained <c>offline</c>, then disconnect, so the will is not needed.</summary>
    public void Stop()
    {
        if (!_started || _disposed) return;
        _started = false;
        _retry?.Dispose();
        if (_connected)
        {
            var offline = Encoding.UTF8.GetBytes(Offline);
            fixed (byte* data = offline) MosquittoNative.Publish(_mosq, out _, _availabilityTopic, offline.Length, data, 1, true);
            MosquittoNative.Disconnect(_mosq);
        }
        MosquittoNative.LoopStop(_mosq, !_connected);
    }

    public void Dispose()
    {
        if (_disposed) return;
        Stop();
        _disposed = true;
        MosquittoNative.Destroy(_mosq);
        _self.Free();
    }

    private static MqttConnection Of(nint userData) => (MqttConnection)GCHandle.FromIntPtr(userData).Target!;

    [UnmanagedCallersOnly]
    private static void OnConnect(nint mosq, nint userData, int code)
    {
        var self = Of(userData);
        if (code != 0)
        {
            Raise(() => self.Refused?.Invoke(MosquittoNative.ConnackText(code, self._options.ProtocolVersion)));
            return;
        }
        var online = Encoding.UTF8.GetBytes(Online);
        fixed (byte* data = online) MosquittoNative.Publish(mosq, out _, self._availabilityTopic, online.Length, data, 1, true);
        // A clean session forgets subscriptions, so they are made again on every connect. With MQTT 5 the retain
        // flag is passed on as published, so a command sent retained is seen as such even when it arrives live.
        var options = self._options.ProtocolVersion == "5" ? MosquittoNative.SubscribeRetainAsPublished : 0;
        foreach (var pattern in self._subscriptions) MosquittoNative.Subscribe(mosq, out _, pattern, 1, options, 0);
        self._connected = true;
        Raise(() => self.Connected?.Invoke());
    }

    [UnmanagedCallersOnly]
    private static void OnDisconnect(nint mosq, nint userData, int code)
    {
        var self = Of(userData);
        self._connected = false;
        if (code != 0) Raise(() => self.Disconnected?.Invoke(self.Reason(code)));
    }

    /// <summary>libmosquitto's error text, with the detail it only logged (e.g. OpenSSL's "certificate verify failed").</summary>
    private string Reason(int code)
    {
        var detail = Interlocked.Exchange(ref _lastLibraryError, null);
        return detail is null ? MosquittoNative.ErrorText(code) : $"{MosquittoNative.ErrorText(code)} ({detail})";
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint mosq, nint userData, int level, byte* text)
    {
        if ((level & MosquittoNative.LogError) == 0) return;
        var self = Of(userData);
        var message = Marshal.PtrToStringUTF8((nint)text) ?? "";
        self._lastLibraryError = message;
        Raise(() => self.Failed?.Invoke(message));
    }

    [UnmanagedCallersOnly]
    private static void OnPublish(nint mosq, nint userData, int mid)
    {
        var self = Of(userData);
        Raise(() => self.Acknowledged?.Invoke(mid));
    }

    [UnmanagedCallersOnly]
    private static void OnMessage(nint mosq, nint userData, MosquittoNative.Message* message)
    {
        var self = Of(userData);
        if (self.MessageReceived is not { } handler) return;
        try
        {
            var topic = Marshal.PtrToStringUTF8((nint)message->Topic) ?? "";
            handler(topic, new ReadOnlySpan<byte>(message->Payload, message->PayloadLength), message->Retain);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"linewatch: MQTT message handler failed: {e.Message}");
        }
    }

    /// <summary>An exception must never unwind into libmosquitto's thread: that would take the process down.</summary>
    private static void Raise(Action handler)
    {
        try
        {
            handler();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"linewatch: MQTT event handler failed: {e.Message}");
        }
    }

}
