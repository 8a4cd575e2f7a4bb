using Microsoft.ML.OnnxRuntime;

namespace LineWatch.Inference;

/// <summary>The ONNX Runtime the agent is running on.</summary>
public static class OnnxRuntimeInfo
{
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>Providers compiled into the native library; a listed provider may still lack its runtime (CUDA).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();
}
