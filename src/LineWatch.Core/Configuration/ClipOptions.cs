namespace LineWatch.Configuration;

/// <summary>
/// Event clips: each camera keeps its last seconds of video in memory, and every alert is written as an H.264 MP4
/// from <see cref="PreRollSeconds"/> before it started until <see cref="PostRollSeconds"/> after it ended, into
/// <c>DataDir/clips/CAMERA/ALERT-ID.mp4</c>. Off unless enabled: it costs CPU (a JPEG per recorded frame, and an
/// encoder per clip) and memory (the pre-roll), as docs/benchmarks.md measures.
/// </summary>
public sealed class ClipOptions
{
    public bool Enabled { get; set; }

    /// <summary>Video kept before the alert's start.</summary>
    public double PreRollSeconds { get; set; } = 5;

    /// <summary>Video kept after the alert's end.</summary>
    public double PostRollSeconds { get; set; } = 5;

    /// <summary>A clip stops at this length even when its alert goes on (an alert that never ends cannot fill the disk).</summary>
    public double MaxSeconds { get; set; } = 120;

    /// <summary>Recorded frames per second: the camera's own rate, but at most this.</summary>
    public double MaxFps { get; set; } = 25;

    /// <summary>0 and 0: the camera's resolution. Otherwise the clip is scaled down to fit this box (aspect ratio kept).</summary>
    public int MaxWidth { get; set; }
    public int MaxHeight { get; set; }

    /// <summary>Lays the anomaly map over the video in red, as on the alert snapshot.</summary>
    public bool BurnHeatmap { get; set; }

    /// <summary>JPEG quality of the frames held in memory for the pre-roll (lower: less memory, softer video).</summary>
    public int JpegQuality { get; set; } = 80;

    /// <summary>x264 constant rate factor of the MP4 (lower: better and bigger; 23 is x264's default).</summary>
    public int Crf { get; set; } = 26;

    /// <summary>Clips older than this are deleted.</summary>
    public double RetentionDays { get; set; } = 14;

    /// <summary>All clips together stay under this; the oldest are deleted first.</summary>
    public long MaxDiskMegabytes { get; set; } = 2048;

    /// <summary>No clip is started (and one being written is stopped) while the disk has less free space than this.</summary>
    public long MinFreeDiskMegabytes { get; set; } = 1024;

    /// <summary>The encoder: Debian's ffmpeg with libx264 (OpenCV's bundled FFmpeg has no H.264 encoder).</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";
}
