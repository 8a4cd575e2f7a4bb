using System.Runtime.InteropServices;

namespace LineWatch.Interop;

/// <summary>The two C library calls .NET does not offer on Linux.</summary>
internal static partial class LibcNative
{
    public const int SigTerm = 15;

    /// <summary>Environment.SetEnvironmentVariable only changes .NET's managed copy on Linux, and OpenCV reads its
    /// settings with getenv.</summary>
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SetEnv(string name, string value, [MarshalAs(UnmanagedType.Bool)] bool overwrite);

    /// <summary>A signal other than SIGKILL to a child process (Process.Kill only sends SIGKILL).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
