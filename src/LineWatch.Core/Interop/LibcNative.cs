using System.Runtime.InteropServices;

namespace LineWatch.Interop;

/// <summary>The C library's environment. .NET's Environment.SetEnvironmentVariable only changes the managed copy on
/// Linux, and OpenCV reads its settings with getenv.</summary>
internal static partial class LibcNative
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SetEnv(string name, string value, [MarshalAs(UnmanagedType.Bool)] bool overwrite);
}
