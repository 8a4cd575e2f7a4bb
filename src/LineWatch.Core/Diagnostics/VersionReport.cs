using LineWatch.Capture;
using LineWatch.Comms.Mqtt;
using LineWatch.Inference;

namespace LineWatch.Diagnostics;

/// <summary>Versions of the agent and of every native component it loaded: what `linewatch version` prints.</summary>
public sealed record VersionReport(
    string App,
    string Runtime,
    string OnnxRuntime,
    IReadOnlyList<string> ExecutionProviders,
    string OpenCv,
    IReadOnlyList<string> VideoBackends,
    string MqttNet,
    string CustomOps)
{
    public static VersionReport Collect(string customOpLibrary) => new(
        App: AppVersion.Current,
        Runtime: System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        OnnxRuntime: OnnxRuntimeInfo.Version,
        ExecutionProviders: OnnxRuntimeInfo.AvailableProviders,
        OpenCv: OpenCvInfo.Version,
        VideoBackends: OpenCvInfo.VideoBackends(),
        MqttNet: typeof(MQTTnet.MqttClient).Assembly.GetName().Version!.ToString(),
        CustomOps: CustomOpLibrary.Describe(customOpLibrary));
}
