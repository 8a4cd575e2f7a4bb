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

    public int CudaDeviceId { get; set; }
}
