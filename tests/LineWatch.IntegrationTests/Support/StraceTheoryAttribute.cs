namespace LineWatch.IntegrationTests.Support;

/// <summary>A test that watches system calls through <see cref="SyscallTrace"/>: reported as skipped, with the reason, where strace is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StraceTheoryAttribute : TheoryAttribute
{
    public StraceTheoryAttribute()
    {
        if (!SyscallTrace.Available) Skip = "needs strace (Debian package strace) to see the system calls";
    }
}
