namespace LineWatch.Configuration;

public enum ModelDevice
{
    /// <summary>CUDA when a usable GPU and the CUDA provider are present, otherwise CPU (with one warning).</summary>
    Auto,
    Cuda,
    Cpu,
}

public sealed class ModelOptions
{
    /// <summary>The backbone ONNX file (built by `linewatch model build`).</summary>
    public string Path { get; set; } = "";

    public ModelDevice Device { get; set; } = ModelDevice.Auto;

    /// <summary>The custom-op library; empty means liblinewatch_ortops.so next to the agent.</summary>
    public string CustomOpLibrary { get; set; } = "";

    /// <summary>ORT intra-op threads on CPU; 0 lets ORT choose (one per core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Whether ORT's idle intra-op threads busy-wait for the next parallel section (ORT's default). Spinning
    /// shortens the hand-over between the model's many small parallel operations; turning it off leaves the CPU to
    /// other work between them (other sessions in the same process, capture threads on a small box).</summary>
    public bool IntraOpSpinning { get; set; } = true;

    /// <summary>The CPU selective-scan kernel: empty for the best this CPU runs, or `avx512`, `avx2` or `baseline`
    /// to force one (to compare them on one machine). A kernel the CPU cannot run fails the model load.</summary>
    public string ScanKernel { get; set; } = "";

    public int CudaDeviceId { get; set; }

    /// <summary>Most clips, from any cameras, run together in one inference call.</summary>
    public int MaxBatch { get; set; } = 4;

    /// <summary>How long the first clip of a batch may wait for others to join it.</summary>
    public double MaxBatchWaitMs { get; set; } = 20;

    /// <summary>Clips waiting for inference, across cameras. When full, the oldest clip of the camera with the
    /// most waiting is dropped (and counted), so a slow model never builds a backlog of stale windows.</summary>
    public int QueueCapacity { get; set; } = 8;
}
