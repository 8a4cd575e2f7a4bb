using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Native;

/// <summary>install/check-arm64.sh: the op library cross-built for AArch64, its NEON scan kernel run under qemu.</summary>
public sealed class Arm64BuildTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [ToolFact("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu")]
    public void The_arm64_build_has_a_neon_scan_kernel_that_matches_the_reference()
    {
        var (exitCode, output) = ShellCommand.Run("/bin/bash", Path.Combine(TestPaths.RepositoryRoot, "install", "check-arm64.sh"), _dir.Path);

        Assert.True(exitCode == 0, output);
        Assert.Contains("the NEON kernel has", output);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "liblinewatch_ortops.so")), output);
        // With qemu-user present the kernel also ran; without it the script says it only built it.
        if (output.Contains("qemu-aarch64 not installed")) return;
        Assert.Matches(@"baseline\s+4 lanes\s+max relative difference \S+ ok", output);
    }

    public void Dispose() => _dir.Dispose();
}
