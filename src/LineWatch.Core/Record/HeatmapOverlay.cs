namespace LineWatch.Record;

/// <summary>
/// A camera's latest anomaly map, handed from the inference thread (each scored window) to the capture thread,
/// which lays it over the clip's frames in red where the local score passes half the threshold, stronger the
/// higher it is (as <see cref="Events.AlertSnapshot"/> does). Both buffers are made once; nothing allocates per frame.
/// </summary>
public sealed class HeatmapOverlay
{
    private const int MaxCells = 64 * 64;
    private readonly float[] _latest = new float[MaxCells];
    private readonly float[] _drawn = new float[MaxCells];
    private readonly Lock _lock = new();
    private int _grid, _drawnGrid;
    private long _version, _drawnVersion;

    /// <summary>On the inference thread: the map of the newest scored window, (G, G), 1.0 = threshold.</summary>
    public void Update(ReadOnlySpan<float> map)
    {
        var grid = (int)Math.Round(Math.Sqrt(map.Length));
        if (grid * grid != map.Length || map.Length > MaxCells) return;
        lock (_lock)
        {
            map.CopyTo(_latest);
            _grid = grid;
            _version++;
        }
    }

    /// <summary>On the capture thread: blends the latest map into a BGR image in place.</summary>
    public unsafe void Draw(byte* pixels, int width, int height, long stride)
    {
        lock (_lock)
        {
            if (_version != _drawnVersion)
            {
                _latest.AsSpan(0, _grid * _grid).CopyTo(_drawn);
                (_drawnGrid, _drawnVersion) = (_grid, _version);
            }
        }
        Draw(pixels, width, height, stride, _drawn.AsSpan(0, _drawnGrid * _drawnGrid), _drawnGrid);
    }

    /// <summary>Blends a (G, G) map into a BGR image in place: red where a cell passes 0.5, up to 60% at 2.0.</summary>
    public static unsafe void Draw(byte* pixels, int width, int height, long stride, ReadOnlySpan<float> map, int grid)
    {
        if (grid == 0) return;
        for (var y = 0; y < height; y++)
        {
            var row = pixels + y * stride;
            var cells = y * grid / height * grid;
            for (var x = 0; x < width; x++)
            {
                var value = map[cells + x * grid / width];
                if (value <= 0.5f) continue;
                var alpha = Math.Min(0.6f, (value - 0.5f) / 1.5f * 0.6f);
                var p = row + 3 * x;
                p[0] = (byte)(p[0] * (1 - alpha));
                p[1] = (byte)(p[1] * (1 - alpha));
                p[2] = (byte)(p[2] * (1 - alpha) + 255 * alpha);
            }
        }
    }
}
