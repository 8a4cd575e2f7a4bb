using System.Runtime.InteropServices;
using LineWatch.Inference;

namespace LineWatch.Agent.Benchmarks;

/// <summary>
/// What this machine can do at best for one scan call, measured by our op library (LineWatchScanRoofline) on
/// the same threads the op uses: the kernel's own per-state arithmetic (Δ·A, exp, Δu·B, two multiply-adds)
/// in registers — the compute roof — and a copy of as many bytes as the op must read and write — the memory
/// roof. The slower of the two is the least time the call can take.
/// </summary>
internal sealed class ScanRoofline
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MeasureFunction([MarshalAs(UnmanagedType.LPStr)] string kernel, long updates, long bytes, int threads, out double computeSeconds,
        out double memorySeconds);

    private readonly MeasureFunction _measure;

    /// <exception cref="ModelLoadException">The library is missing or too old to measure.</exception>
    public ScanRoofline(string libraryPath)
    {
        if (!NativeLibrary.TryLoad(libraryPath, out var handle) || !NativeLibrary.TryGetExport(handle, "LineWatchScanRoofline", out var export))
        {
            throw new ModelLoadException($"{libraryPath} has no LineWatchScanRoofline entry point (rebuild it with install/setup.sh)");
        }
        _measure = Marshal.GetDelegateForFunctionPointer<MeasureFunction>(export);
    }

    /// <returns>Milliseconds for <paramref name="updates"/> state updates of <paramref name="kernel"/> in registers, and
    /// for reading and writing <paramref name="bytes"/>, each split over <paramref name="threads"/>.</returns>
    public (double ComputeMs, double MemoryMs) Measure(string kernel, long updates, long bytes, int threads)
    {
        if (_measure(kernel, updates, bytes, threads, out var compute, out var memory) != 0) throw new ArgumentException($"this CPU does not run the {kernel} scan kernel");
        return (compute * 1000, memory * 1000);
    }
}
