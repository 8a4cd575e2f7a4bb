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

    /// <summary>A clip is analysed every this many analysed frames (windows overlap when it is below the window length).</summary>
    public int Stride { get; set; } = 4;

    /// <summary>Expected frames per window; 0 takes the model's. A value that differs from the model's rejects the camera.</summary>
    public int WindowFrames { get; set; }

    /// <summary>Expected model image size; 0 takes the model's. A value that differs from the model's rejects the camera.</summary>
    public int ImageSize { get; set; }

    /// <summary>
    /// After the source opens (and after a file loops), frames are read but not analysed for this long: cameras
    /// settle their exposure and encoders their first key frames, and those first seconds are not the steady view
    /// a profile describes. Learning and evaluation skip the same span at the start of each video.
    /// </summary>
    public double SettleSeconds { get; set; } = 3;

    /// <summary>Records event clips of this camera's alerts when <c>Clips:Enabled</c> is on; false leaves this camera out.</summary>
    public bool RecordClips { get; set; } = true;

    /// <summary>Longest wait between reconnect attempts; attempts back off exponentially from 1 s up to this.</summary>
    public double MaxBackoffSeconds { get; set; } = 30;

    /// <summary>Polygons left out of the score (<see cref="RegionMode.Exclude"/>) or the only area scored
    /// (<see cref="RegionMode.Watch"/>); they apply without a restart.</summary>
    public List<RegionOptions> Regions { get; set; } = [];

    /// <summary>Windows analysed per second: one every <see cref="Stride"/> analysed frames.</summary>
    public double WindowsPerSecond() => AnalysisFps / Stride;
}
