namespace LineWatch.Simulation;

/// <summary>
/// Draws one part of a <see cref="LineLook"/> on the belt, as it should be or as a fault has it (turned, of the
/// wrong colour, fallen over, doubled). A shape is a few rectangles and circles around the part's centre;
/// upright they are drawn on the pixel grid, so the classic box is exactly the box it always was.
/// </summary>
internal static class PartPainter
{
    private enum Tone { Body, Mark, Dark }

    /// <summary>A rectangle (W x H) or a circle (radius W) whose centre is (X, Y) from the part's centre.</summary>
    private readonly record struct Element(bool Circle, int X, int Y, int W, int H, Tone Tone);

    public static void Draw(Canvas canvas, LineLook look, int cx, int cy, Bgr body, double angle = 0)
    {
        foreach (var e in Elements(look))
        {
            var colour = e.Tone switch { Tone.Body => body, Tone.Mark => look.MarkColour, _ => body.Scale(0.45) };
            if (angle == 0)
            {
                if (e.Circle) canvas.FillCircle(cx + e.X, cy + e.Y, e.W, colour);
                else canvas.FillRect(cx + e.X - e.W / 2, cy + e.Y - e.H / 2, e.W, e.H, colour);
                continue;
            }
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            double x = cx + e.X * cos - e.Y * sin, y = cy + e.X * sin + e.Y * cos;
            if (e.Circle) canvas.FillCircle((int)Math.Round(x), (int)Math.Round(y), e.W, colour);
            else canvas.FillRotatedRect(x, y, e.W, e.H, angle, colour);
        }
    }

    /// <summary>How far a part must turn to look turned: a box or bracket by 45°, a disc (which only its key
    /// slot gives away) by 90°.</summary>
    public static double TurnAngle(LineLook look) => look.Shape == PartShape.Disc ? Math.PI / 2 : Math.PI / 4;

    /// <summary>A part lying on its side: its side face (darker, as thick as the part is tall) seen from above,
    /// tipped towards the belt's near edge and askew by <paramref name="tilt"/>.</summary>
    public static void DrawFallen(Canvas canvas, LineLook look, int cx, int cy, double tilt)
    {
        var thickness = Math.Max(8, (int)Math.Round(look.PartDepth * 0.45));
        double x = cx + look.PartLength / 6.0, y = cy + (look.BeltBottom - look.BeltTop) * 0.22;
        canvas.FillRotatedRect(x, y, look.PartLength, thickness, tilt, look.PartColour.Scale(0.6));
        // The top face's edge catches the light along one long side.
        double edge = thickness / 2.0 - 1.5;
        canvas.FillRotatedRect(x + edge * Math.Sin(tilt), y - edge * Math.Cos(tilt), look.PartLength, 3, tilt, look.PartColour);
    }

    /// <summary>Two parts in one slot: one on top of the other, or (unless <paramref name="stacked"/>, and where
    /// there is room before the neighbours) side by side along the belt.</summary>
    public static void DrawDouble(Canvas canvas, LineLook look, int cx, int cy, bool stacked)
    {
        var length = look.PartLength;
        var neighbour = look.GroupSize == 1 ? look.GroupPitch : Math.Min(look.PairGap, look.GroupPitch - look.PairGap);
        if (!stacked && neighbour >= 1.55 * length + 6)
        {
            var apart = (int)Math.Round(0.55 * length);
            Draw(canvas, look, cx - apart, cy, look.PartColour);
            Draw(canvas, look, cx + apart, cy, look.PartColour);
            return;
        }
        int dx = Math.Max(4, length / 6), dy = Math.Max(4, look.PartDepth / 6);
        Draw(canvas, look, cx - dx, cy + dy, look.PartColour);
        Draw(canvas, look, cx + dx + 3, cy - dy + 3, look.PartColour.Scale(0.35));      // the upper part's shadow
        Draw(canvas, look, cx + dx, cy - dy, look.PartColour.Scale(1.15));               // nearer the light
    }

    public static void DrawForeign(Canvas canvas, LineLook look, int cx, int cy)
    {
        if (!look.ForeignIsBar) { canvas.FillCircle(cx, cy, look.ForeignSize, look.ForeignColour); return; }
        canvas.FillRotatedRect(cx, cy, look.ForeignSize * 3.5, 7, 0.5, look.ForeignColour);                    // a tool's shaft
        canvas.FillRotatedRect(cx - look.ForeignSize * 1.6, cy - look.ForeignSize * 0.9, 16, 12, 0.5, look.ForeignColour.Scale(0.5)); // its handle
    }

    private static Element[] Elements(LineLook look)
    {
        int length = look.PartLength, depth = look.PartDepth;
        switch (look.Shape)
        {
            case PartShape.Box:
                return [new(false, 0, 0, length, depth, Tone.Body), new(false, 0, 0, (int)Math.Round(length * 0.32), (int)Math.Round(depth * 0.3), Tone.Mark)];
            case PartShape.Disc:
                var radius = length / 2;
                return
                [
                    new(true, 0, 0, radius, 0, Tone.Dark), new(true, 0, 0, radius - 3, 0, Tone.Body),     // the rim, then the top
                    new(true, 0, 0, Math.Max(4, radius / 2), 0, Tone.Mark),
                    new(false, (int)Math.Round(radius * 0.62), 0, Math.Max(5, radius / 2), Math.Max(3, radius / 5), Tone.Dark), // key slot
                ];
            default:
                var arm = Math.Max(8, (int)Math.Round(depth * 0.4));
                return
                [
                    new(false, -length / 2 + arm / 2, 0, arm, depth, Tone.Body),          // upright of the L
                    new(false, 0, depth / 2 - arm / 2, length, arm, Tone.Body),           // its foot
                    new(true, length / 4, depth / 2 - arm / 2, Math.Max(2, arm / 4), 0, Tone.Dark),
                ];
        }
    }
}
