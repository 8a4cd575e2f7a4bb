namespace LineWatch.Simulation;

/// <summary>
/// A camera pose as a fixed perspective warp: for every output pixel, where in the scene it looks (bilinear,
/// 8-bit weights), computed once. The warp is a homography (roll, keystone, mirror) zoomed in until the whole
/// view lands on the scene, so no pixel ever samples outside it whatever the shake.
/// </summary>
internal sealed class PoseWarp
{
    private readonly int _width, _height;
    private readonly int[] _x, _y;            // top-left source pixel in scene coordinates
    private readonly byte[] _fx, _fy;         // its fractional position, /256

    public PoseWarp(int width, int height, CameraPose pose)
    {
        _width = width;
        _height = height;
        _x = new int[width * height];
        _y = new int[width * height];
        _fx = new byte[width * height];
        _fy = new byte[width * height];
        var zoom = 1.0;
        while (!Fits(pose, zoom)) zoom *= 0.99;
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var (sx, sy) = Map(pose, zoom, x, y);
            var i = y * width + x;
            _x[i] = (int)Math.Floor(sx);
            _y[i] = (int)Math.Floor(sy);
            _fx[i] = (byte)Math.Min(255, (int)Math.Round((sx - _x[i]) * 256));
            _fy[i] = (byte)Math.Min(255, (int)Math.Round((sy - _y[i]) * 256));
        }
    }

    /// <summary>Samples the canvas (the scene offset by ox, oy) through the light table, adding noise if given.</summary>
    public void Sample(Canvas canvas, int ox, int oy, ReadOnlySpan<byte> lut, sbyte[]? noise, Span<byte> bgr)
    {
        var pixels = canvas.Pixels;
        var row = canvas.Width * 3;
        for (var i = 0; i < _x.Length; i++)
        {
            var s = ((_y[i] + oy) * canvas.Width + _x[i] + ox) * 3;
            int fx = _fx[i], fy = _fy[i];
            int w00 = (256 - fx) * (256 - fy), w10 = fx * (256 - fy), w01 = (256 - fx) * fy, w11 = fx * fy;
            for (var c = 0; c < 3; c++)
            {
                var value = (w00 * pixels[s + c] + w10 * pixels[s + 3 + c] + w01 * pixels[s + row + c] + w11 * pixels[s + row + 3 + c] + 32768) >> 16;
                var o = i * 3 + c;
                bgr[o] = noise is null ? lut[value] : (byte)Math.Clamp(lut[value] + noise[o], 0, 255);
            }
        }
    }

    private bool Fits(CameraPose pose, double zoom)
    {
        foreach (var (x, y) in new[] { (0, 0), (_width - 1, 0), (0, _height - 1), (_width - 1, _height - 1) })
        {
            var (sx, sy) = Map(pose, zoom, x, y);
            if (sx < 0 || sy < 0 || sx > _width - 2 || sy > _height - 2) return false;
        }
        return true;
    }

    /// <summary>Output pixel to scene point. Straight lines stay straight, so the corners bound the whole view.</summary>
    private (double X, double Y) Map(CameraPose pose, double zoom, int x, int y)
    {
        double halfW = (_width - 1) / 2.0, halfH = (_height - 1) / 2.0;
        double u = (x - halfW) / halfW, v = (y - halfH) / halfH;
        var depth = 1 + pose.TiltX * u + pose.TiltY * v;          // the keystone: one side of the view is nearer
        double px = u / depth * halfW, py = v / depth * halfH;
        var roll = pose.RollDegrees * Math.PI / 180;
        double rx = Math.Cos(roll) * px - Math.Sin(roll) * py, ry = Math.Sin(roll) * px + Math.Cos(roll) * py;
        var sx = halfW + zoom * rx;
        return (pose.Mirror ? 2 * halfW - sx : sx, halfH + zoom * ry);
    }
}
