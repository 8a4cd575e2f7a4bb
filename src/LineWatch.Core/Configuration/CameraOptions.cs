namespace LineWatch.Configuration;

public sealed class CameraOptions
{
    /// <summary>Unique per agent; used in MQTT topics, so letters, digits, '-' and '_'.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// rtsp://, rtsps://, http(s):// (MJPEG), a video file path or file:// URL, a V4L2 device (/dev/videoN or
    /// device:N), or demo: for the built-in generated production line.
    /// </summary>
    public string Source { get; set; } = "";

    public bool Enabled { get; set; } = true;

    /// <summary>Frames per second that are analysed; the newest frame is taken at this rate, the rest skipped.</summary>
    public double AnalysisFps { get; set; } = 8;

    /// <summary>Video files only: start again at the end instead of going offline.</summary>
    public bool Loop { get; set; } = true;

    /// <summary>No frame for this long marks the camera stalled and makes it reconnect.</summary>
    public double WatchdogSeconds { get; set; } = 10;
}
