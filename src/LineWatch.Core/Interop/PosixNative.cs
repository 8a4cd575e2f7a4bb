using System.Runtime.InteropServices;

namespace LineWatch.Interop;

/// <summary>The one POSIX call .NET lacks for child processes: sending a signal other than SIGKILL.</summary>
internal static partial class PosixNative
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
