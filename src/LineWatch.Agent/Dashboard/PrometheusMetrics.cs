using System.Globalization;
using System.Text;
using LineWatch.Agent.Hosting;
using LineWatch.Diagnostics;

namespace LineWatch.Agent.Dashboard;

/// <summary>The agent's state in the Prometheus text exposition format (version 0.0.4), for /metrics.</summary>
internal static class PrometheusMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(AgentSnapshot s, LatencyHistogram? inference)
    {
        var text = new StringBuilder();
        void Family(string name, string type, string help) => text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        void Sample(string name, string labels, double value) => text.Append(name).Append(labels.Length > 0 ? "{" + labels + "}" : "").Append(' ')
            .Append(double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "NaN").Append('\n');
        string Camera(CameraStatus c) => $"camera=\"{Escape(c.Name)}\"";
        void PerCamera(string name, string type, string help, Func<CameraStatus, double?> value)
        {
            Family(name, type, help);
            foreach (var c in s.Cameras) if (value(c) is { } v) Sample(name, Camera(c), v);
        }

        Family("linewatch_build_info", "gauge", "Version of the running agent.");
        Sample("linewatch_build_info", $"version=\"{Escape(s.Version)}\",agent=\"{Escape(s.AgentId)}\"", 1);
        Family("linewatch_uptime_seconds", "gauge", "Seconds since the agent started.");
        Sample("linewatch_uptime_seconds", "", s.UptimeSeconds);
        Family("linewatch_model_loaded", "gauge", "1 when the backbone is loaded and analysis runs.");
        Sample("linewatch_model_loaded", s.ExecutionProvider is null ? "" : $"provider=\"{Escape(s.ExecutionProvider)}\"", s.Analysing ? 1 : 0);

        PerCamera("linewatch_camera_up", "gauge", "1 while the camera delivers frames.", c => c.Capture == "streaming" ? 1 : 0);
        PerCamera("linewatch_camera_enabled", "gauge", "1 when the camera's analysis is switched on.", c => c.Enabled ? 1 : 0);
        PerCamera("linewatch_camera_learning", "gauge", "1 while the camera learns normal operation.", c => c.Learning.Learning ? 1 : 0);
        PerCamera("linewatch_camera_anomaly", "gauge", "1 while an alert is active on the camera.", c => c.AlertId is null ? 0 : 1);
        PerCamera("linewatch_camera_score", "gauge", "Latest window score (1.0 = the camera's threshold).", c => c.Score);
        PerCamera("linewatch_camera_capture_fps", "gauge", "Frames per second read from the camera (last 5 s).", c => c.CaptureFps);
        PerCamera("linewatch_camera_analysis_fps", "gauge", "Frames per second analysed (last 5 s).", c => c.AnalysisFps);
        PerCamera("linewatch_camera_frames_total", "counter", "Frames read from the camera.", c => c.FramesIn);
        PerCamera("linewatch_camera_frames_analysed_total", "counter", "Frames preprocessed for analysis.", c => c.FramesAnalysed);
        PerCamera("linewatch_camera_frames_skipped_total", "counter", "Frames not analysed (sampling, settling).", c => c.FramesSkipped);
        PerCamera("linewatch_camera_clips_dropped_total", "counter", "Windows dropped because the inference queue was full.", c => c.ClipsDropped);
        PerCamera("linewatch_camera_windows_scored_total", "counter", "Windows run through the backbone and scored.", c => c.WindowsScored);
        PerCamera("linewatch_camera_reconnects_total", "counter", "Reconnections after the camera was lost.", c => c.Reconnects);
        PerCamera("linewatch_camera_stalls_total", "counter", "Times the watchdog found the camera silent.", c => c.Stalls);
        PerCamera("linewatch_camera_errors_total", "counter", "Capture and decode errors.", c => c.Errors);
        PerCamera("linewatch_camera_window_latency_p99_seconds", "gauge", "Capture-to-score latency, 99th percentile of recent windows.", c => c.LatencyP99Ms / 1000);

        if (inference is not null)
        {
            Family("linewatch_inference_batch_seconds", "histogram", "Backbone inference time per batch.");
            var cumulative = inference.Cumulative();
            for (var i = 0; i < LatencyHistogram.BoundsMs.Length; i++)
            {
                Sample("linewatch_inference_batch_seconds_bucket", $"le=\"{(LatencyHistogram.BoundsMs[i] / 1000).ToString(CultureInfo.InvariantCulture)}\"", cumulative[i]);
            }
            Sample("linewatch_inference_batch_seconds_bucket", "le=\"+Inf\"", cumulative[^1]);
            Sample("linewatch_inference_batch_seconds_sum", "", inference.SumMs / 1000);
            Sample("linewatch_inference_batch_seconds_count", "", cumulative[^1]);
        }
        Family("linewatch_inference_failures_total", "counter", "Batches whose inference failed.");
        Sample("linewatch_inference_failures_total", "", s.InferenceFailures);
        Family("linewatch_inference_queue_depth", "gauge", "Windows waiting for inference.");
        Sample("linewatch_inference_queue_depth", "", s.QueueDepth);
        Family("linewatch_mqtt_connected", "gauge", "1 while connected to the MQTT broker.");
        Sample("linewatch_mqtt_connected", "", s.MqttConnected ? 1 : 0);
        Family("linewatch_outbox_pending", "gauge", "Alert messages waiting for the broker's acknowledgement.");
        Sample("linewatch_outbox_pending", "", s.OutboxPending);
        Family("linewatch_outbox_dropped_total", "counter", "Alert messages dropped because the outbox was full.");
        Sample("linewatch_outbox_dropped_total", "", s.OutboxDropped);
        Family("linewatch_commands_total", "counter", "MQTT commands by outcome.");
        Sample("linewatch_commands_total", "outcome=\"applied\"", s.CommandsApplied);
        Sample("linewatch_commands_total", "outcome=\"rejected\"", s.CommandsRejected);
        Sample("linewatch_commands_total", "outcome=\"dropped\"", s.CommandsDropped);
        return text.ToString();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
