namespace LineWatch.Simulation;

/// <summary>The fault types the synthetic line can show; their names are the labels file's "type" values.</summary>
public static class FaultTypes
{
    public const string Jam = "jam";
    public const string Missing = "missing";
    public const string Foreign = "foreign";
    public const string Rotated = "rotated";
    public const string Speed = "speed";
    public const string Hand = "hand";

    public static readonly IReadOnlyList<string> All = [Jam, Missing, Foreign, Rotated, Speed, Hand];
}

/// <summary>A fault on the line: its type and when it starts, in seconds; how long it lasts depends on the type.</summary>
public sealed record ScheduledFault(string Type, double StartSeconds, double DurationSeconds);

/// <summary>
/// A camera's view of a conveyor: parts at a steady rhythm riding a slatted belt past a work station, with
/// slow lighting drift, sensor noise and a little camera shake. Renders BGR frames into a caller's buffer;
/// the faults come from a schedule, and the scene reports which frames show one (the labels).
/// </summary>
public sealed class ProductionLineScene
{
    public const int Width = 640, Height = 360;
    public const double Fps = 25;

    private const int Margin = 4;                       // room for the shake
    private const int CanvasWidth = Width + 2 * Margin, CanvasHeight = Height + 2 * Margin;
    private const int BeltTop = 160, BeltBottom = 250;
    private const double BeltSpeed = 80;                 // px/s
    private const double PartSpacing = 120;               // px between part centres
    private const int PartWidth = 50, PartHeight = 40;
    private const int StationLeft = 380, StationRight = 470, StationTop = 40, StationBottom = 150;

    private readonly byte[] _background = new byte[CanvasWidth * CanvasHeight * 3];
    private readonly byte[] _canvas = new byte[CanvasWidth * CanvasHeight * 3];
    private readonly IReadOnlyList<ScheduledFault> _faults;
    private readonly Random _random;
    private readonly HashSet<long> _missingSlots = [];
    private readonly Dictionary<long, string> _oddSlots = [];   // slot -> foreign | rotated
    private double _beltOffset;
    private double _lightWalk;
    private double _shakeX, _shakeY;
    private uint _noiseState;

    public ProductionLineScene(IReadOnlyList<ScheduledFault> faults, int seed)
    {
        _faults = faults;
        _random = new Random(seed);
        _noiseState = (uint)seed * 2654435761u + 1;
        DrawBackground();
        // Start the slow random processes (lighting walk, shake) in their steady state, as for a camera that has
        // been running: from rest, the first seconds would be a state the rest of the video never returns to.
        for (var i = 0; i < 500; i++) StepDrift();
        // Slot faults are bound to the part slot that reaches the work station at the fault's start time.
        foreach (var fault in faults.Where(f => f.Type is FaultTypes.Missing or FaultTypes.Foreign or FaultTypes.Rotated))
        {
            var slot = SlotAtStation(fault.StartSeconds);
            if (fault.Type == FaultTypes.Missing) { _missingSlots.Add(slot); _missingSlots.Add(slot + 1); }
            else _oddSlots[slot] = fault.Type;
        }
    }

    /// <summary>Renders frame <paramref name="index"/> (they must come in order) into <paramref name="bgr"/> (Width x Height x 3).</summary>
    /// <returns>The fault types visible in this frame.</returns>
    public IReadOnlyList<string> Render(int index, Span<byte> bgr)
    {
        var t = index / Fps;
        var visible = new List<string>();
        var speed = BeltSpeed;
        foreach (var fault in _faults)
        {
            var active = t >= fault.StartSeconds && t < fault.StartSeconds + fault.DurationSeconds;
            if (!active) continue;
            if (fault.Type == FaultTypes.Jam) { speed = 0; visible.Add(fault.Type); }
            if (fault.Type == FaultTypes.Speed) { speed = BeltSpeed * 1.8; visible.Add(fault.Type); }
        }
        if (index > 0) _beltOffset += speed / Fps;

        _background.CopyTo(_canvas, 0);
        DrawBelt();
        DrawParts(visible);
        DrawStation();
        foreach (var fault in _faults.Where(f => f.Type == FaultTypes.Hand && t >= f.StartSeconds && t < f.StartSeconds + f.DurationSeconds))
        {
            DrawHand((t - fault.StartSeconds) / fault.DurationSeconds);
            visible.Add(FaultTypes.Hand);
        }
        Finish(t, bgr);
        return visible;
    }

    /// <summary>The schedule's slot bookkeeping: the slot whose part is under the station at time t at normal speed.</summary>
    private static long SlotAtStation(double seconds) =>
        (long)Math.Floor((seconds * BeltSpeed - (StationLeft + StationRight) / 2.0) / PartSpacing);

    private void DrawBackground()
    {
        for (var y = 0; y < CanvasHeight; y++)
        for (var x = 0; x < CanvasWidth; x++)
        {
            var shade = (byte)(55 + 25 * y / CanvasHeight + ((x / 32 + y / 32) % 2) * 4); // floor tiles
            SetPixel(_background, x, y, shade, shade, (byte)(shade + 3));
        }
        // Belt frame rails.
        FillRect(_background, 0, BeltTop + Margin - 6, CanvasWidth, 6, 120, 120, 125);
        FillRect(_background, 0, BeltBottom + Margin, CanvasWidth, 6, 120, 120, 125);
    }

    private void DrawBelt()
    {
        FillRect(_canvas, 0, BeltTop + Margin, CanvasWidth, BeltBottom - BeltTop, 85, 88, 90);
        // Slats every 24 px, moving with the belt: the motion the camera sees even between parts.
        var phase = _beltOffset % 24;
        for (var x = phase - 24; x < CanvasWidth; x += 24) FillRect(_canvas, (int)x, BeltTop + Margin, 3, BeltBottom - BeltTop, 70, 72, 74);
    }

    private void DrawParts(List<string> visible)
    {
        var firstSlot = (long)Math.Floor((_beltOffset - Width - PartWidth) / PartSpacing);
        for (var slot = firstSlot; ; slot++)
        {
            var centreX = _beltOffset - slot * PartSpacing;
            if (centreX < -PartWidth) break;
            if (centreX > Width + PartWidth) continue;
            var cx = (int)centreX + Margin;
            var cy = (BeltTop + BeltBottom) / 2 + Margin;
            var inView = centreX > -PartWidth / 2.0 && centreX < Width + PartWidth / 2.0;
            if (_missingSlots.Contains(slot))
            {
                if (inView && !visible.Contains(FaultTypes.Missing)) visible.Add(FaultTypes.Missing);
                continue;
            }
            if (_oddSlots.TryGetValue(slot, out var odd))
            {
                if (odd == FaultTypes.Foreign) FillCircle(_canvas, cx, cy, 18, 30, 40, 200);       // a red object on the belt
                else FillRotatedRect(_canvas, cx, cy, PartWidth, PartHeight, Math.PI / 4, 40, 120, 180); // a part turned 45°
                if (inView && !visible.Contains(odd)) visible.Add(odd);
                continue;
            }
            FillRect(_canvas, cx - PartWidth / 2, cy - PartHeight / 2, PartWidth, PartHeight, 40, 120, 180);
            FillRect(_canvas, cx - 8, cy - 6, 16, 12, 230, 230, 230); // label
        }
    }

    private void DrawStation()
    {
        FillRect(_canvas, StationLeft + Margin, StationTop + Margin, StationRight - StationLeft, StationBottom - StationTop - 30, 100, 100, 110);
        FillRect(_canvas, (StationLeft + StationRight) / 2 - 6 + Margin, StationBottom - 30 + Margin, 12, 30, 150, 150, 160); // tool head
    }

    /// <summary>An arm reaching from the top edge into the work area and back, over the fault's duration.</summary>
    private void DrawHand(double progress)
    {
        var reach = Math.Sin(progress * Math.PI);               // in and out
        var bottom = (int)(reach * (BeltTop + 20));
        FillRect(_canvas, StationLeft - 40 + Margin, 0, 34, bottom + Margin, 120, 160, 210);           // sleeve-less arm, skin tone
        FillCircle(_canvas, StationLeft - 23 + Margin, bottom + Margin, 20, 110, 150, 205);             // hand
    }

    /// <summary>Shake (crop offset), lighting drift and sensor noise, then the crop into the output.</summary>
    private void StepDrift()
    {
        _lightWalk = Math.Clamp(_lightWalk + (_random.NextDouble() - 0.5) * 0.004, -0.05, 0.05);
        _shakeX = Math.Clamp(_shakeX * 0.9 + (_random.NextDouble() - 0.5) * 1.2, -Margin + 1, Margin - 1);
        _shakeY = Math.Clamp(_shakeY * 0.9 + (_random.NextDouble() - 0.5) * 1.2, -Margin + 1, Margin - 1);
    }

    private void Finish(double t, Span<byte> bgr)
    {
        StepDrift();
        var light = 1 + 0.08 * Math.Sin(2 * Math.PI * t / 120) + _lightWalk;
        int ox = Margin + (int)Math.Round(_shakeX), oy = Margin + (int)Math.Round(_shakeY);

        Span<byte> lut = stackalloc byte[256];
        for (var v = 0; v < 256; v++) lut[v] = (byte)Math.Clamp(v * light, 0, 255);
        for (var y = 0; y < Height; y++)
        {
            var src = _canvas.AsSpan(((y + oy) * CanvasWidth + ox) * 3, Width * 3);
            var dst = bgr.Slice(y * Width * 3, Width * 3);
            for (var i = 0; i < src.Length; i++)
            {
                _noiseState ^= _noiseState << 13;
                _noiseState ^= _noiseState >> 17;
                _noiseState ^= _noiseState << 5;
                var noise = (int)(_noiseState & 7) - 3;                   // ±3 levels
                dst[i] = (byte)Math.Clamp(lut[src[i]] + noise, 0, 255);
            }
        }
    }

    private static void SetPixel(byte[] image, int x, int y, byte b, byte g, byte r)
    {
        var i = (y * CanvasWidth + x) * 3;
        image[i] = b;
        image[i + 1] = g;
        image[i + 2] = r;
    }

    private static void FillRect(byte[] image, int x0, int y0, int w, int h, byte b, byte g, byte r)
    {
        for (var y = Math.Max(0, y0); y < Math.Min(CanvasHeight, y0 + h); y++)
        for (var x = Math.Max(0, x0); x < Math.Min(CanvasWidth, x0 + w); x++)
        {
            SetPixel(image, x, y, b, g, r);
        }
    }

    private static void FillCircle(byte[] image, int cx, int cy, int radius, byte b, byte g, byte r)
    {
        for (var y = Math.Max(0, cy - radius); y <= Math.Min(CanvasHeight - 1, cy + radius); y++)
        for (var x = Math.Max(0, cx - radius); x <= Math.Min(CanvasWidth - 1, cx + radius); x++)
        {
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) SetPixel(image, x, y, b, g, r);
        }
    }

    private static void FillRotatedRect(byte[] image, int cx, int cy, int w, int h, double angle, byte b, byte g, byte r)
    {
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var extent = (int)Math.Ceiling(Math.Sqrt(w * w + h * h) / 2);
        for (var y = Math.Max(0, cy - extent); y <= Math.Min(CanvasHeight - 1, cy + extent); y++)
        for (var x = Math.Max(0, cx - extent); x <= Math.Min(CanvasWidth - 1, cx + extent); x++)
        {
            double dx = x - cx, dy = y - cy;
            double u = dx * cos + dy * sin, v = -dx * sin + dy * cos;     // into the part's own axes
            if (Math.Abs(u) <= w / 2.0 && Math.Abs(v) <= h / 2.0) SetPixel(image, x, y, b, g, r);
        }
    }
}
