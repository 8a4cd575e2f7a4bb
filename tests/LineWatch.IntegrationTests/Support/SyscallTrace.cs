using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// The file system calls the calling thread makes while an action runs on it, as strace sees them (attached to that
/// thread, file descriptors shown with their paths): what a test cannot learn from the files themselves, such as
/// whether a file was flushed to disk before it was renamed.
/// </summary>
internal static class SyscallTrace
{
    public static bool Available => File.Exists("/usr/bin/strace");

    /// <summary>The trace lines (one call each) that name <paramref name="under"/>.</summary>
    public static IReadOnlyList<string> Of(Action action, string under, string calls = "fsync,fdatasync,rename,renameat,renameat2")
    {
        using var dir = new TempDirectory();
        var log = dir.File("strace.log");
        // /proc/thread-self names this thread's id in the kernel, which is what strace attaches to.
        var thread = Path.GetFileName(new DirectoryInfo("/proc/thread-self").ResolveLinkTarget(returnFinalTarget: false)!.FullName);
        var info = new ProcessStartInfo("/usr/bin/strace", ["-y", "-e", $"trace={calls}", "-o", log, "-p", thread])
        {
            RedirectStandardError = true,
        };
        using var strace = Process.Start(info)!;
        while (strace.StandardError.ReadLine() is not { } line || !line.Contains($"Process {thread} attached"))
        {
            if (strace.HasExited) throw new InvalidOperationException($"strace could not attach to thread {thread}");
        }
        try
        {
            action();
        }
        finally
        {
            ShellCommand.Run("kill", "-INT", strace.Id.ToString());
            if (!strace.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException("strace did not detach");
        }
        return File.ReadAllLines(log)
            .Where(line => line.Contains(under, StringComparison.Ordinal))
            .ToList();
    }
}
