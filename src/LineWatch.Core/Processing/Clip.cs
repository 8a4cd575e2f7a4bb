namespace LineWatch.Processing;

/// <summary>
/// One window of a camera, laid out as the model's input (3, T, S, S), with the capture time of each frame.
/// Clips are pooled: the buffers are allocated once and reused for the life of the pipeline.
/// </summary>
public sealed class Clip
{
    internal Clip(ClipShape shape)
    {
        Shape = shape;
        Data = new float[shape.ClipFloats];
        FrameTicks = new long[shape.Frames];
        Signals = new float[shape.Frames * shape.SignalFloats];
        Thumbnails = new byte[shape.Frames * ClipShape.ThumbnailBytes];
    }

    public ClipShape Shape { get; }
    public float[] Data { get; }

    /// <summary>Stopwatch timestamps of the frames' capture, oldest first.</summary>
    public long[] FrameTicks { get; }

    /// <summary>(T, K): each frame's <see cref="Capture.FrameSignals"/>, oldest first.</summary>
    public float[] Signals { get; }

    /// <summary>A small BGR copy of each frame, oldest first, each in a slot of <see cref="ClipShape.ThumbnailBytes"/>; for snapshots.</summary>
    public byte[] Thumbnails { get; }
    public int ThumbnailWidth { get; internal set; }
    public int ThumbnailHeight { get; internal set; }

    public int CameraIndex { get; internal set; }

    /// <summary>The counters of the camera that made the clip: a slot's counters are replaced when a new camera takes it,
    /// which tells its windows from those of the removed camera still on their way.</summary>
    internal CameraStats? Camera { get; set; }

    /// <summary>Per camera, counting from 1; a gap means a clip was dropped.</summary>
    public long Sequence { get; internal set; }

    public long EnqueuedTicks { get; internal set; }
    public long NewestFrameTicks => FrameTicks[^1];
}

/// <summary>Reusable clips. Steady state allocates nothing: the queue bounds how many are out at once.</summary>
public sealed class ClipPool(ClipShape shape)
{
    private readonly System.Collections.Concurrent.ConcurrentStack<Clip> _free = new();
    private int _created;

    public ClipShape Shape => shape;

    /// <summary>Clips ever allocated; flat after warm-up.</summary>
    public int Created => _created;

    public Clip Rent()
    {
        if (_free.TryPop(out var clip)) return clip;
        Interlocked.Increment(ref _created);
        return new Clip(shape);
    }

    public void Return(Clip clip) => _free.Push(clip);
}
