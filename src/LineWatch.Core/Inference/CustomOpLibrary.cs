using System.Runtime.InteropServices;

namespace LineWatch.Inference;

/// <summary>Asks our custom-op library what it was built with (which ops, CPU only or CUDA too).</summary>
public static unsafe class CustomOpLibrary
{
    /// <exception cref="ModelLoadException">The file is missing or is not our library.</exception>
    public static string Describe(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"custom-op library not found: {path}");
        if (!NativeLibrary.TryLoad(path, out var handle)) throw new ModelLoadException($"custom-op library {path} could not be loaded (wrong architecture or missing dependency)");
        if (!NativeLibrary.TryGetExport(handle, "LineWatchOrtOpsInfo", out var export) || !NativeLibrary.TryGetExport(handle, "RegisterCustomOps", out _))
        {
            throw new ModelLoadException($"{path} is not a LineWatch custom-op library (its entry points are missing)");
        }
        // Left loaded on purpose: ORT loads the same file for every session, and the OS shares the mapping.
        return Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)export)()) ?? "";
    }
}
