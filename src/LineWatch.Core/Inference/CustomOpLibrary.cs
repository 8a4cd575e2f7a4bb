using System.Runtime.InteropServices;

namespace LineWatch.Inference;

/// <summary>Asks our custom-op library what it was built with (which ops, CPU only or CUDA too).</summary>
public static unsafe class CustomOpLibrary
{
    /// <exception cref="ModelLoadException">The file is missing or is not our library.</exception>
    public static string Describe(string path) => CallText(path, "LineWatchOrtOpsInfo");

    /// <summary>The CPU scan kernels this library has and this CPU runs, best first (what ModelOptions.ScanKernel accepts here).</summary>
    /// <exception cref="ModelLoadException">The file is missing or is not our library.</exception>
    public static IReadOnlyList<string> ScanKernels(string path) =>
        CallText(path, "LineWatchScanKernels").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The CPU scan kernel sessions use unless ModelOptions.ScanKernel names another (the best this CPU runs, or LINEWATCH_SCAN_ISA's).</summary>
    /// <exception cref="ModelLoadException">The file is missing or is not our library.</exception>
    public static string DefaultScanKernel(string path) => CallText(path, "LineWatchDefaultScanKernel");

    private static string CallText(string path, string entryPoint)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"custom-op library not found: {path}");
        if (!NativeLibrary.TryLoad(path, out var handle)) throw new ModelLoadException($"custom-op library {path} could not be loaded (wrong architecture or missing dependency)");
        if (!NativeLibrary.TryGetExport(handle, entryPoint, out var export) || !NativeLibrary.TryGetExport(handle, "RegisterCustomOps", out _))
        {
            throw new ModelLoadException($"{path} is not a LineWatch custom-op library of this version (its entry point {entryPoint} is missing)");
        }
        // Left loaded on purpose: ORT loads the same file for every session, and the OS shares the mapping.
        return Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)export)()) ?? "";
    }
}
