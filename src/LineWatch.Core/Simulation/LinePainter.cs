namespace LineWatch.Simulation;

/// <summary>
/// Draws the fixed parts of a <see cref="LineLook"/> onto a canvas with a border of <c>margin</c> px around the
/// view: the floor and fixtures, the belt with its moving slats, the work station, and an arm reaching in.
/// </summary>
internal sealed class LinePainter(LineLook look, int margin)
{
    // The floor tiles and belt slats are laid out from a point 4 px above and left of the view: where the first
    // generator's canvas began, so that scene 0 draws them where it always did at every nuisance level.
    private const int Anchor = 4;

    public void DrawBackdrop(Canvas canvas)
    {
        var floorHeight = ProductionLineScene.Height + 2 * Anchor;
        for (var y = 0; y < canvas.Height; y++)
        for (var x = 0; x < canvas.Width; x++)
        {
            int fx = x - margin + Anchor, fy = y - margin + Anchor;
            var tile = (FloorDiv(fx, look.TileSize) + FloorDiv(fy, look.TileSize)) & 1;
            var shade = look.FloorShade + look.FloorGradient * fy / floorHeight + tile * look.TileContrast;
            canvas.SetPixel(x, y, new Bgr(Bgr.Clamp(shade + look.FloorTint.B), Bgr.Clamp(shade + look.FloorTint.G), Bgr.Clamp(shade + look.FloorTint.R)));
        }
        foreach (var f in look.Fixtures)
        {
            canvas.FillRect(f.X + margin, f.Y + margin, f.Width, f.Height, f.Colour);
            canvas.FillRect(f.X + margin, f.Y + margin, f.Width, 3, f.Colour.Scale(1.25));   // lit top edge
        }
        // Belt frame rails.
        canvas.FillRect(0, look.BeltTop + margin - 6, canvas.Width, 6, look.RailColour);
        canvas.FillRect(0, look.BeltBottom + margin, canvas.Width, 6, look.RailColour);
    }

    /// <summary>The belt at travel <paramref name="offset"/>: its slats move with it, the motion the camera sees
    /// even between parts.</summary>
    public void DrawBelt(Canvas canvas, double offset)
    {
        int top = look.BeltTop + margin, height = look.BeltBottom - look.BeltTop, spacing = look.SlatSpacing;
        canvas.FillRect(0, top, canvas.Width, height, look.BeltColour);
        var phase = offset % spacing;
        if (phase < 0) phase += spacing;
        var x = phase - spacing + (margin - Anchor);
        while (x > 0) x -= spacing;
        for (; x < canvas.Width; x += spacing) canvas.FillRect((int)x, top, look.SlatWidth, height, look.SlatColour);
    }

    public void DrawStation(Canvas canvas)
    {
        int left = look.StationLeft, right = look.StationRight;
        canvas.FillRect(left + margin, look.StationTop + margin, right - left, look.StationBottom - look.StationTop - 30, look.StationColour);
        canvas.FillRect((left + right) / 2 - 6 + margin, look.StationBottom - 30 + margin, 12, 30, look.ToolColour); // tool head
    }

    /// <summary>An arm reaching from the top edge into the work area, beside the station, and back out over
    /// <paramref name="progress"/> 0..1.</summary>
    public void DrawArm(Canvas canvas, double progress)
    {
        var reach = Math.Sin(progress * Math.PI);               // in and out
        var bottom = (int)(reach * (look.BeltTop + 20));
        canvas.FillRect(look.StationLeft - 40 + margin, 0, 34, bottom + margin, new Bgr(120, 160, 210));   // sleeve-less arm, skin tone
        canvas.FillCircle(look.StationLeft - 23 + margin, bottom + margin, 20, new Bgr(110, 150, 205));     // hand
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
