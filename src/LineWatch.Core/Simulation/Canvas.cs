namespace LineWatch.Simulation;

/// <summary>A colour in the frame's byte order.</summary>
public readonly record struct Bgr(byte B, byte G, byte R)
{
    /// <summary>The same colour under less (or more) light, as a shaded face or a shadow.</summary>
    public Bgr Scale(double factor) => new(Clamp(B * factor), Clamp(G * factor), Clamp(R * factor));

    /// <summary>Largest difference over the three channels: how far apart two colours look, roughly.</summary>
    public int DistanceTo(Bgr other) => Math.Max(Math.Abs(B - other.B), Math.Max(Math.Abs(G - other.G), Math.Abs(R - other.R)));

    public static byte Clamp(double value) => (byte)Math.Clamp(value, 0, 255);
}

/// <summary>
/// The scene's drawing surface (BGR, a little larger than the output so that camera shake and pose never
/// sample outside it) and the few filled shapes the scene is made of. Shapes are clipped to the surface.
/// </summary>
internal sealed class Canvas(int width, int height)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Pixels { get; } = new byte[width * height * 3];

    public void CopyFrom(Canvas other) => other.Pixels.CopyTo(Pixels, 0);

    public void SetPixel(int x, int y, Bgr colour)
    {
        var i = (y * Width + x) * 3;
        Pixels[i] = colour.B;
        Pixels[i + 1] = colour.G;
        Pixels[i + 2] = colour.R;
    }

    public void FillRect(int x0, int y0, int w, int h, Bgr colour)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(Height, y0 + h); y++)
        for (var x = Math.Max(0, x0); x < Math.Min(Width, x0 + w); x++)
        {
            SetPixel(x, y, colour);
        }
    }

    public void FillCircle(int cx, int cy, int radius, Bgr colour)
    {
        for (var y = Math.Max(0, cy - radius); y <= Math.Min(Height - 1, cy + radius); y++)
        for (var x = Math.Max(0, cx - radius); x <= Math.Min(Width - 1, cx + radius); x++)
        {
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) SetPixel(x, y, colour);
        }
    }

    /// <summary>A w x h rectangle centred on (cx, cy), turned by <paramref name="angle"/> radians.</summary>
    public void FillRotatedRect(double cx, double cy, double w, double h, double angle, Bgr colour)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var extent = (int)Math.Ceiling(Math.Sqrt(w * w + h * h) / 2);
        int left = (int)Math.Floor(cx) - extent, top = (int)Math.Floor(cy) - extent;
        int right = (int)Math.Ceiling(cx) + extent, bottom = (int)Math.Ceiling(cy) + extent;
        for (var y = Math.Max(0, top); y <= Math.Min(Height - 1, bottom); y++)
        for (var x = Math.Max(0, left); x <= Math.Min(Width - 1, right); x++)
        {
            double dx = x - cx, dy = y - cy;
            double u = dx * cos + dy * sin, v = -dx * sin + dy * cos;     // into the rectangle's own axes
            if (Math.Abs(u) <= w / 2.0 && Math.Abs(v) <= h / 2.0) SetPixel(x, y, colour);
        }
    }

    /// <summary>Mixes <paramref name="colour"/> into one pixel by <paramref name="alpha"/> (0..1): smoke, glare.</summary>
    public void Blend(int x, int y, Bgr colour, double alpha)
    {
        var i = (y * Width + x) * 3;
        Pixels[i] = Bgr.Clamp(Pixels[i] + alpha * (colour.B - Pixels[i]));
        Pixels[i + 1] = Bgr.Clamp(Pixels[i + 1] + alpha * (colour.G - Pixels[i + 1]));
        Pixels[i + 2] = Bgr.Clamp(Pixels[i + 2] + alpha * (colour.R - Pixels[i + 2]));
    }
}
