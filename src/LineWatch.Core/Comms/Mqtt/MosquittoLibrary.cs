using LineWatch.Interop;

namespace LineWatch.Comms.Mqtt;

/// <summary>Process-wide state of libmosquitto: one-time initialisation (it sets up OpenSSL) and its version.</summary>
public static class MosquittoLibrary
{
    private static readonly Lazy<int> Initialised = new(MosquittoNative.LibInit);

    public static Version Version
    {
        get
        {
            MosquittoNative.LibVersion(out var major, out var minor, out var revision);
            return new Version(major, minor, revision);
        }
    }

    internal static void EnsureInitialised()
    {
        if (Initialised.Value != MosquittoNative.Success)
        {
            throw new InvalidOperationException($"libmosquitto failed to initialise: {MosquittoNative.ErrorText(Initialised.Value)}");
        }
    }
}
