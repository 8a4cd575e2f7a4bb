using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LineWatch.Simulation;

/// <summary>
/// A camera pose as a fixed perspective warp: for every output pixel, where in the scene it looks (bilinear,
/// 8-bit weights), computed once. The warp is a homography (roll, keystone, mirror) zoomed in until the whole
/// view lands on the scene, so no pixel ever samples outside it whatever the shake.
/// </summary>
internal sealed class PoseWarp
{
    private readonly int _width, _height, _canvasWidth;
    private readonly int[] _source;           // top-left source pixel, as a pixel index into the canvas before the shake
    private readonly int[] _weights;          // four bilinear weights per output pixel, summing to 65536

    public PoseWarp(int width, int height, int canvasWidth, CameraPose pose)
    {
        _width = width;
        _height = height;
        _canvasWidth = canvasWidth;
        _source = new int[width * height];
        _weights = new int[width * height * 4];
        var zoom = 1.0;
        while (!Fits(pose, zoom)) zoom *= 0.99;
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var (sx, sy) = Map(pose, zoom, x, y);
            int i = y * width + x, left = (int)Math.Floor(sx), top = (int)Math.Floor(sy);
            _source[i] = top * canvasWidth + left;
            int fx = Math.Min(256, (int)Math.Round((sx - left) * 256)), fy = Math.Min(256, (int)Math.Round((sy - top) * 256));
            _weights[4 * i] = (256 - fx) * (256 - fy);
            _weights[4 * i + 1] = fx * (256 - fy);
            _weights[4 * i + 2] = (256 - fx) * fy;
            _weights[4 * i + 3] = fx * fy;
        }
    }

    /// <summary>Samples the canvas (the scene offset by ox, oy) through the light table, adding noise if given.</summary>
    public void Sample(Canvas canvas, int ox, int oy, ReadOnlySpan<byte> lut, sbyte[]? noise, Span<byte> bgr)
    {
        // The hot loop of a posed scene: indices are valid by construction (the warp stays on the scene and the
        // canvas border covers the shake), so it reads through refs without bounds checks.
        ref var pixels = ref MemoryMarshal.GetArrayDataReference(canvas.Pixels);
        ref var weights = ref MemoryMarshal.GetArrayDataReference(_weights);
        ref var source = ref MemoryMarshal.GetArrayDataReference(_source);
        ref var output = ref MemoryMarshal.GetReference(bgr);
        var stride = _canvasWidth * 3;
        var shake = oy * _canvasWidth + ox;
        for (var i = 0; i < _source.Length; i++)
        {
            var s = (Unsafe.Add(ref source, i) + shake) * 3;
            int w00 = Unsafe.Add(ref weights, 4 * i), w10 = Unsafe.Add(ref weights, 4 * i + 1);
            int w01 = Unsafe.Add(ref weights, 4 * i + 2), w11 = Unsafe.Add(ref weights, 4 * i + 3);
            for (var c = 0; c < 3; c++, s++)
            {
                var mixed = w00 * Unsafe.Add(ref pixels, s) + w10 * Unsafe.Add(ref pixels, s + 3)
                    + w01 * Unsafe.Add(ref pixels, s + stride) + w11 * Unsafe.Add(ref pixels, s + stride + 3);
                Unsafe.Add(ref output, i * 3 + c) = lut[(mixed + 32768) >> 16];
            }
        }
        if (noise is null) return;
        for (var o = 0; o < noise.Length; o++) bgr[o] = (byte)Math.Clamp(bgr[o] + noise[o], 0, 255);
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
