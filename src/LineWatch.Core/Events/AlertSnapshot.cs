using LineWatch.Capture;
using LineWatch.Processing;
using LineWatch.Record;

namespace LineWatch.Events;

/// <summary>
/// The JPEG an alert carries: the window's most anomalous frame (as a thumbnail) with the anomaly map laid over
/// it in red where the local score passes half the threshold, stronger the higher it is.
/// </summary>
public static unsafe class AlertSnapshot
{
    public static byte[]? Render(WindowResult window)
    {
        int width = window.ThumbnailWidth, height = window.ThumbnailHeight;
        if (width == 0 || window.Thumbnails.IsEmpty) return null;
        var frame = Math.Clamp(window.WorstFrame, 0, window.FrameTicks.Length - 1);
        var image = window.Thumbnails.Span.Slice(frame * ClipShape.ThumbnailBytes, width * height * 3).ToArray();
        var map = window.AnomalyMap.Span;
        fixed (byte* pixels = image) HeatmapOverlay.Draw(pixels, width, height, width * 3, map, (int)Math.Round(Math.Sqrt(map.Length)));
        return JpegEncoder.Encode(image, width, height, width * 3, quality: 80);
    }
}
