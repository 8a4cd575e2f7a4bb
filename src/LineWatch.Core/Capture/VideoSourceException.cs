using LineWatch.Configuration;

namespace LineWatch.Capture;

/// <summary>
/// A video source could not be opened or read; the message names the source and the reason. URL credentials
/// are cut out of the message here, whoever wrote it (our code or ffmpeg's own error line), because it travels
/// on to the log, the retained MQTT camera state and the dashboard.
/// </summary>
public sealed class VideoSourceException(string message) : Exception(CameraSource.Redact(message));
