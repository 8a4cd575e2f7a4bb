namespace LineWatch.Simulation;

/// <summary>
/// Smoke or haze drifting across part of the view: a soft, lumpy cloud that thickens over the first two seconds,
/// drifts sideways, and thins out over the last two. Where and how it drifts is drawn from the fault's own seed.
/// </summary>
internal sealed class HazeCloud
{
    private readonly double _x, _y, _vx, _vy, _rx, _ry, _density, _wispPhase;
    private readonly Bgr _colour;

    public HazeCloud(Random random, int width, int height)
    {
        _x = width * (0.2 + 0.6 * random.NextDouble());
        _y = height * (0.3 + 0.4 * random.NextDouble());
        _vx = (15 + 20 * random.NextDouble()) * (random.Next(2) == 0 ? -1 : 1);    // px/s
        _vy = -4 - 6 * random.NextDouble();                                         // smoke rises
        _rx = 110 + 90 * random.NextDouble();
        _ry = 70 + 60 * random.NextDouble();
        _density = 0.55 + 0.2 * random.NextDouble();
        _wispPhase = 2 * Math.PI * random.NextDouble();
        var grey = (byte)(175 + random.Next(40));
        _colour = new Bgr((byte)Math.Min(255, grey + 8), grey, grey);
    }

    /// <summary>Blends the cloud into the canvas <paramref name="elapsed"/> s into a fault of <paramref name="seconds"/> s.</summary>
    public void Draw(Canvas canvas, int margin, double elapsed, double seconds)
    {
        var envelope = Math.Clamp(Math.Min(elapsed, seconds - elapsed) / 2, 0, 1);
        if (envelope <= 0) return;
        double cx = _x + _vx * elapsed + margin, cy = _y + _vy * elapsed + margin;
        int left = Math.Max(0, (int)(cx - 1.6 * _rx)), right = Math.Min(canvas.Width - 1, (int)(cx + 1.6 * _rx));
        int top = Math.Max(0, (int)(cy - 1.6 * _ry)), bottom = Math.Min(canvas.Height - 1, (int)(cy + 1.6 * _ry));
        for (var y = top; y <= bottom; y++)
        for (var x = left; x <= right; x++)
        {
            double u = (x - cx) / _rx, v = (y - cy) / _ry;
            // Slow ripples over the cloud make it lumpy and let it churn as it drifts.
            var wisp = 1 + 0.3 * Math.Sin(u * 4.1 + elapsed * 0.9 + _wispPhase) * Math.Sin(v * 3.3 - elapsed * 0.6);
            var alpha = _density * envelope * wisp * Math.Exp(-2 * (u * u + v * v));
            if (alpha > 0.004) canvas.Blend(x, y, _colour, Math.Min(alpha, 0.9));
        }
    }
}
