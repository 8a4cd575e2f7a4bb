namespace LineWatch.Capture;

/// <summary>
/// The layout of what <see cref="FrameSignalProbe"/> measures for one analysed frame, on a G x G grid of regions
/// (the backbone's patch grid, so the picture is <see cref="Processing.ClipShape.PatchSize"/> x G pixels a side):
/// the signed optical flow of each region since the previous analysed frame (dx, dy in pixels of the model's input,
/// region by region, row-major), then the picture's mean luminance and its contrast (standard deviation of
/// luminance), both on the 0-255 scale, then the shift (dx, dy) of each strip by phase correlation since the
/// previous analysed frame: the G rows of regions, each as a full-width strip, top first, then the G columns, each
/// as a full-height strip, left first; then each strip's profile along its length, in the same order: a row strip's
/// grey level per pixel column averaged over its rows, a column strip's per pixel row averaged over its columns.
/// </summary>
public static class FrameSignals
{
    public static int Length(int grid) => 2 * grid * grid + 2 + 4 * grid + 2 * grid * ProfileLength(grid);

    public static int Luminance(int grid) => 2 * grid * grid;

    public static int Contrast(int grid) => 2 * grid * grid + 1;

    /// <summary>Where row strip <paramref name="row"/>'s (dx, dy) starts.</summary>
    public static int RowShift(int grid, int row) => 2 * grid * grid + 2 + 2 * row;

    /// <summary>Where column strip <paramref name="column"/>'s (dx, dy) starts.</summary>
    public static int ColumnShift(int grid, int column) => 2 * grid * grid + 2 + 2 * grid + 2 * column;

    /// <summary>How many values a strip's profile has: the picture's side in pixels.</summary>
    public static int ProfileLength(int grid) => Processing.ClipShape.PatchSize * grid;

    /// <summary>Where strip <paramref name="strip"/>'s profile starts: rows 0..G-1, then columns as G..2G-1.</summary>
    public static int Profile(int grid, int strip) => 2 * grid * grid + 2 + 4 * grid + strip * ProfileLength(grid);
}
