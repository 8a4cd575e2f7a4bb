namespace LineWatch.Configuration;

/// <summary>What a region does to the patches it covers.</summary>
public enum RegionMode
{
    /// <summary>Left out of the score and the heatmap (a robot arm that moves on purpose, a clock).</summary>
    Exclude,

    /// <summary>Only the area of watch regions is scored; with none, the whole picture is.</summary>
    Watch,
}

/// <summary>
/// A polygon on a camera's picture, in normalised image coordinates (0..1 from the left and from the top), so it
/// stays where it was drawn when the camera's resolution changes. docs/scoring.md gives the rule that turns
/// regions into the patches the scorer leaves out.
/// </summary>
public sealed class RegionOptions
{
    public const int MaxPoints = 64;
    public const int MaxPerCamera = 16;

    /// <summary>Shown on the dashboard and named in errors; letters, digits, '-', '_' and spaces.</summary>
    public string Name { get; set; } = "";

    public RegionMode Mode { get; set; } = RegionMode.Exclude;

    /// <summary>The corners, in order, each [x, y]; at least 3 and at most <see cref="MaxPoints"/>.</summary>
    public List<double[]> Points { get; set; } = [];
}
