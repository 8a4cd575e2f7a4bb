namespace LineWatch.Capture;

/// <summary>What a source reports about itself once open. Fps and FrameCount are 0 when unknown (live streams).</summary>
public sealed record VideoSourceInfo(int Width, int Height, double Fps, double FrameCount, string Backend);
