using System.CommandLine;
using System.Text.Json;
using LineWatch.Diagnostics;
using LineWatch.Inference;

namespace LineWatch.Agent.Cli;

/// <summary>`linewatch version [--json]`: the agent and every native component it runs on.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print as JSON" };
        var command = new Command("version", "Show the versions of LineWatch, ONNX Runtime (and its execution providers), OpenCV and the MQTT client (MQTTnet)") { json };
        command.SetAction(parse =>
        {
            var report = VersionReport.Collect(OrtSessionFactory.DefaultCustomOpLibrary);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, CliJson.Options));
                return ExitCodes.Ok;
            }
            Console.WriteLine($"LineWatch       {report.App} ({report.Runtime})");
            Console.WriteLine($"ONNX Runtime    {report.OnnxRuntime}; providers: {string.Join(", ", report.ExecutionProviders)}");
            Console.WriteLine($"custom ops      {report.CustomOps}");
            Console.WriteLine($"OpenCV          {report.OpenCv}; video backends: {string.Join(", ", report.VideoBackends)}");
            Console.WriteLine($"MQTTnet         {report.MqttNet}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
