namespace LineWatch.Processing;

/// <summary>
/// What the backbone made of one clip, handed to the scorer and then to every sink on the inference thread.
/// The feature memory belongs to the inference buffers and is only valid during that hand-over: a sink that
/// keeps anything copies it. One instance per batch slot is reused, so nothing is allocated per window.
/// </summary>
public sealed class WindowResult
{
    public int CameraIndex { get; internal set; }
    public string Camera { get; internal set; } = "";
    public long Sequence { get; internal set; }

    /// <summary>Capture timestamps (Stopwatch ticks) of the window's frames, oldest first.</summary>
    public ReadOnlyMemory<long> FrameTicks { get; internal set; }
    public long EnqueuedTicks { get; internal set; }
    public long InferenceStartTicks { get; internal set; }
    public long InferenceEndTicks { get; internal set; }

    /// <summary>(D): the final-normed class token.</summary>
    public ReadOnlyMemory<float> Embedding { get; internal set; }

    /// <summary>(T, G, G, D): the final-normed patch tokens.</summary>
    public ReadOnlyMemory<float> Tokens { get; internal set; }

    /// <summary>(T, K): each frame's <see cref="Capture.FrameSignals"/> (flow per region, light), oldest first.</summary>
    public ReadOnlyMemory<float> Signals { get; internal set; }

    /// <summary>Set by the scorer: the window's anomaly score on the scorer's normalised scale; null when no
    /// scorer (or no learned profile) is there yet.</summary>
    public double? Score { get; set; }

    /// <summary>Set by the scorer with <see cref="Score"/>: (G, G) local anomaly scores, 1.0 = threshold; valid during the hand-over.</summary>
    public ReadOnlyMemory<float> AnomalyMap { get; set; }

    /// <summary>Set by the scorer: the frame (0 = oldest) in which the worst patch was seen.</summary>
    public int WorstFrame { get; set; }

    /// <summary>BGR thumbnails of the frames, each in a slot of <see cref="ClipShape.ThumbnailBytes"/>; empty when not kept.</summary>
    public ReadOnlyMemory<byte> Thumbnails { get; internal set; }
    public int ThumbnailWidth { get; internal set; }
    public int ThumbnailHeight { get; internal set; }
}

/// <summary>Turns a window's features into a score (issue #5's profiles implement it).</summary>
public interface IWindowScorer
{
    void Score(WindowResult window);
}

/// <summary>Receives every scored window (alerts, MQTT, dashboard, metrics). Must return quickly.</summary>
public interface IWindowSink
{
    void OnWindow(WindowResult window);
}
