using LineWatch.Inference;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// A theory for one CPU scan kernel of our op library: it runs where this CPU runs that kernel, and is reported
/// as skipped with the reason elsewhere (an AVX2-only machine has no avx512 kernel), never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScanKernelTheoryAttribute : TheoryAttribute
{
    public ScanKernelTheoryAttribute(string kernel)
    {
        var available = CustomOpLibrary.ScanKernels(OrtSessionFactory.DefaultCustomOpLibrary);
        if (!available.Contains(kernel)) Skip = $"this CPU does not run the {kernel} scan kernel (it runs: {string.Join(", ", available)})";
    }
}
