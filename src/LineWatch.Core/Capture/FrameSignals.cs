namespace LineWatch.Capture;

/// <summary>
/// The layout of what <see cref="FrameSignalProbe"/> measures for one analysed frame, on a G x G grid of regions
/// (the backbone's patch grid): the signed optical flow of each region since the previous analysed frame
/// (dx, dy in pixels of the model's input, region by region, row-major), then the picture's mean luminance and
/// its contrast (standard deviation of luminance), both on the 0-255 scale, then the shift (dx, dy) of each strip by
/// phase correlation since the previous analysed frame: the G rows of regions, each as a full-width strip, top first,
/// then the G columns, each as a full-height strip, left first.
/// </summary>
public static class FrameSignals
{
    public static int Length(int grid) => 2 * grid * grid + 2 + 4 * grid;

    public static int Luminance(int grid) => 2 * grid * grid;

    public static int Contrast(int grid) => 2 * grid * grid + 1;

    /// <summary>Where row strip <paramref name="row"/>'s (dx, dy) starts.</summary>
    public static int RowShift(int grid, int row) => 2 * grid * grid + 2 + 2 * row;

    /// <summary>Where column strip <paramref name="column"/>'s (dx, dy) starts.</summary>
    public static int ColumnShift(int grid, int column) => 2 * grid * grid + 2 + 2 * grid + 2 * column;
}
