using LineWatch.Capture;
using LineWatch.Processing;

namespace LineWatch.Events;

/// <summary>
/// The JPEG an alert carries: the window's most anomalous frame (as a thumbnail) with the anomaly map laid over
/// it in red where the local score passes half the threshold, stronger the higher it is.
/// </summary>
public static class AlertSnapshot
{
    public static byte[]? Render(WindowResult window)
    {
        int width = window.ThumbnailWidth, height = window.ThumbnailHeight;
        if (width == 0 || window.Thumbnails.IsEmpty) return null;
        var frame = Math.Clamp(window.WorstFrame, 0, window.FrameTicks.Length - 1);
        var image = window.Thumbnails.Span.Slice(frame * ClipShape.ThumbnailBytes, width * height * 3).ToArray();
        var map = window.AnomalyMap.Span;
        var grid = (int)Math.Round(Math.Sqrt(map.Length));
        if (grid > 0)
        {
            for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var value = map[y * grid / height * grid + x * grid / width];
                if (value <= 0.5f) continue;
                var alpha = Math.Min(0.6f, (value - 0.5f) / 1.5f * 0.6f);
                var i = (y * width + x) * 3;
                image[i] = (byte)(image[i] * (1 - alpha));
                image[i + 1] = (byte)(image[i + 1] * (1 - alpha));
                image[i + 2] = (byte)(image[i + 2] * (1 - alpha) + 255 * alpha);
            }
        }
        return JpegEncoder.Encode(image, width, height, width * 3, quality: 80);
    }
}
