namespace LineWatch.Capture;

/// <summary>
/// The layout of what <see cref="FrameSignalProbe"/> measures for one analysed frame, on a G x G grid of regions
/// (the backbone's patch grid): the signed optical flow of each region since the previous analysed frame
/// (dx, dy in pixels of the model's input, region by region, row-major), then the picture's mean luminance and
/// its contrast (standard deviation of luminance), both on the 0-255 scale.
/// </summary>
public static class FrameSignals
{
    public static int Length(int grid) => 2 * grid * grid + 2;

    public static int Luminance(int grid) => 2 * grid * grid;

    public static int Contrast(int grid) => 2 * grid * grid + 1;
}
