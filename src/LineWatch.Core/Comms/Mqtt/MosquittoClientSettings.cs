using LineWatch.Configuration;
using LineWatch.Interop;

namespace LineWatch.Comms.Mqtt;

/// <summary>Applies the configured protocol version, credentials and TLS to a libmosquitto client, for the probe and the connection alike.</summary>
internal static class MosquittoClientSettings
{
    /// <exception cref="InvalidOperationException">libmosquitto rejected a setting (e.g. an unreadable CA file).</exception>
    public static void Apply(nint mosq, MqttOptions options)
    {
        Check(MosquittoNative.IntOption(mosq, MosquittoNative.OptionProtocolVersion,
            options.ProtocolVersion == "5" ? MosquittoNative.ProtocolV5 : MosquittoNative.ProtocolV311), "protocol version");
        if (options.Username.Length > 0) Check(MosquittoNative.UsernamePasswordSet(mosq, options.Username, options.Password), "credentials");
        if (options.Tls.Enabled)
        {
            Check(MosquittoNative.TlsSet(mosq, options.Tls.CaFile, null, NullIfEmpty(options.Tls.CertFile), NullIfEmpty(options.Tls.KeyFile), 0), "TLS settings");
            Check(MosquittoNative.TlsInsecureSet(mosq, !options.Tls.VerifyHostname), "TLS hostname check");
        }
    }

    public static void Check(int rc, string what)
    {
        if (rc != MosquittoNative.Success) throw new InvalidOperationException($"libmosquitto rejected the {what}: {MosquittoNative.ErrorText(rc)}");
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
