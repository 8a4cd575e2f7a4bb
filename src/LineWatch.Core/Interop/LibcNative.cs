using System.Runtime.InteropServices;

namespace LineWatch.Interop;

/// <summary>The C library calls .NET does not offer on Linux.</summary>
internal static partial class LibcNative
{
    public const int SigTerm = 15;
    public const int OpenReadOnly = 0x80000; // O_RDONLY | O_CLOEXEC; a folder opens read-only like a file

    /// <summary>Environment.SetEnvironmentVariable only changes .NET's managed copy on Linux, and OpenCV reads its
    /// settings with getenv.</summary>
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SetEnv(string name, string value, [MarshalAs(UnmanagedType.Bool)] bool overwrite);

    /// <summary>A signal other than SIGKILL to a child process (Process.Kill only sends SIGKILL).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>A folder opened for <see cref="FSync"/>: .NET opens files only, and a rename is made durable by syncing its folder.</summary>
    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
