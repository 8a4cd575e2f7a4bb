using System.Buffers;
using LineWatch.Capture;
using LineWatch.Processing;
using LineWatch.Record;

namespace LineWatch.Events;

/// <summary>
/// The JPEG an alert carries: the window's most anomalous frame (as a thumbnail) with the anomaly map laid over
/// it in red where the local score passes half the threshold, stronger the higher it is. Rendered on the inference
/// thread for every start and update: the frame is drawn on in a pooled buffer, as a copy of it would be a large
/// object that only a full collection frees.
/// </summary>
public static unsafe class AlertSnapshot
{
    public static byte[]? Render(WindowResult window)
    {
        int width = window.ThumbnailWidth, height = window.ThumbnailHeight;
        if (width == 0 || window.Thumbnails.IsEmpty) return null;
        var frame = Math.Clamp(window.WorstFrame, 0, window.FrameTicks.Length - 1);
        var length = width * height * 3;
        var image = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            window.Thumbnails.Span.Slice(frame * ClipShape.ThumbnailBytes, length).CopyTo(image);
            var map = window.AnomalyMap.Span;
            fixed (byte* pixels = image) HeatmapOverlay.Draw(pixels, width, height, width * 3, map, (int)Math.Round(Math.Sqrt(map.Length)));
            return JpegEncoder.Encode(image.AsSpan(0, length), width, height, width * 3, quality: 80);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(image);
        }
    }
}
