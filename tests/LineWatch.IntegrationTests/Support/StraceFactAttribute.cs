namespace LineWatch.IntegrationTests.Support;

/// <summary>A test that runs something under strace: reported as skipped, with the reason, where strace is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StraceFactAttribute : FactAttribute
{
    public StraceFactAttribute()
    {
        if (!SyscallTrace.Available) Skip = "needs strace (Debian package strace) to see the system calls";
    }
}
