using LineWatch.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace LineWatch.Inference;

/// <summary>An ONNX Runtime session together with the execution provider it actually runs on.</summary>
public sealed record LoadedModel(InferenceSession Session, string ExecutionProvider, string Path) : IDisposable
{
    public void Dispose() => Session.Dispose();
}

/// <summary>
/// Creates ORT sessions the way the agent needs them: our custom-op library registered, and the execution
/// provider chosen by Model:Device (auto tries CUDA and falls back to CPU with one warning).
/// </summary>
public static class OrtSessionFactory
{
    public const string CustomOpLibraryFileName = "liblinewatch_ortops.so";
    public const string CudaProvider = "CUDAExecutionProvider";
    public const string CpuProvider = "CPUExecutionProvider";
    public const string CudaProviderLibrary = "libonnxruntime_providers_cuda.so";
    /// <summary>The session config entry our op reads to pick its CPU kernel (see ModelOptions.ScanKernel).</summary>
    public const string ScanKernelConfigKey = "linewatch.scan_kernel";

    public static string DefaultCustomOpLibrary => System.IO.Path.Combine(AppContext.BaseDirectory, CustomOpLibraryFileName);

    public static string ResolveCustomOpLibrary(ModelOptions options) =>
        options.CustomOpLibrary.Length > 0 ? options.CustomOpLibrary : DefaultCustomOpLibrary;

    /// <exception cref="ModelLoadException">The file, the op library or the requested device is unusable.</exception>
    public static LoadedModel Create(string modelPath, ModelOptions options, ILogger logger)
    {
        if (!File.Exists(modelPath)) throw new ModelLoadException($"model file not found: {modelPath}");
        var opLibrary = ResolveCustomOpLibrary(options);
        if (!File.Exists(opLibrary)) throw new ModelLoadException($"custom-op library not found: {opLibrary}");

        if (options.Device != ModelDevice.Cpu)
        {
            try
            {
                return Open(modelPath, options, opLibrary, useCuda: true);
            }
            catch (Exception e) when (options.Device == ModelDevice.Auto && e is OnnxRuntimeException or ModelLoadException)
            {
                logger.LogWarning("CUDA is not usable ({Reason}); running the model on CPU", FirstLine(e.Message));
            }
            catch (Exception e) when (e is OnnxRuntimeException)
            {
                throw new ModelLoadException($"Model:Device is cuda but CUDA could not be used: {FirstLine(e.Message)}", e);
            }
        }
        return Open(modelPath, options, opLibrary, useCuda: false);
    }

    private static LoadedModel Open(string modelPath, ModelOptions options, string opLibrary, bool useCuda)
    {
        var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            if (options.IntraOpThreads > 0) sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
            // ORT's own key: idle pool threads spin (busy-wait) for new work unless told not to.
            if (!options.IntraOpSpinning) sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            if (options.ScanKernel.Length > 0) sessionOptions.AddSessionConfigEntry(ScanKernelConfigKey, options.ScanKernel);
            try
            {
                sessionOptions.RegisterCustomOpLibrary(opLibrary);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelLoadException($"custom-op library {opLibrary} could not be registered: {FirstLine(e.Message)}", e);
            }
            if (useCuda)
            {
                if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider))
                {
                    throw new ModelLoadException("this ONNX Runtime build has no CUDA execution provider");
                }
                // Checked first so a CPU-only service release says so plainly, instead of ORT's library-load error.
                if (!File.Exists(System.IO.Path.Combine(AppContext.BaseDirectory, CudaProviderLibrary)))
                {
                    throw new ModelLoadException($"the CUDA provider ({CudaProviderLibrary}) is not installed; install the service with install/install-service.sh --gpu on a machine with an NVIDIA GPU");
                }
                sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
            }
            InferenceSession session;
            try
            {
                session = new InferenceSession(modelPath, sessionOptions);
            }
            catch (OnnxRuntimeException e) when (!useCuda)
            {
                throw new ModelLoadException($"could not load model {modelPath}: {FirstLine(e.Message)}", e);
            }
            return new LoadedModel(session, useCuda ? CudaProvider : CpuProvider, modelPath);
        }
        finally
        {
            // The session keeps what it needs from the options; ORT documents them as disposable after creation.
            sessionOptions.Dispose();
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
