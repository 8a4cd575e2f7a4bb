using LineWatch.Configuration;

namespace LineWatch.Scoring;

/// <summary>
/// Which patch positions of the model's G x G grid a camera's regions leave in the score. The watched area is
/// the union of the watch polygons (the whole picture when there are none) less the union of the exclude
/// polygons; a patch is scored when at least half of its area is watched, so a patch more than half excluded
/// leaves the local channel, the motion channel and the heatmap. The area is measured on
/// <see cref="SamplesPerSide"/>² points spread evenly over each patch. Built once per change of the regions,
/// off the inference thread; scoring only reads it.
/// </summary>
public sealed class RegionMask
{
    /// <summary>8 x 8 points per patch: the area is known to 1/64, far finer than anyone draws a polygon.</summary>
    public const int SamplesPerSide = 8;

    private readonly bool[] _scored;

    private RegionMask(int grid, bool[] scored)
    {
        Grid = grid;
        _scored = scored;
        ScoredCount = scored.Count(s => s);
    }

    public int Grid { get; }

    /// <summary>How many positions are scored; 0 means the regions leave nothing to watch.</summary>
    public int ScoredCount { get; }

    public bool IsEverything => ScoredCount == _scored.Length;

    /// <summary>Per position (row-major, as the grid's tokens and flow regions), whether it is scored.</summary>
    public ReadOnlySpan<bool> Scored => _scored;

    public static RegionMask Everything(int grid) => new(grid, Enumerable.Repeat(true, grid * grid).ToArray());

    /// <summary>What a camera scorer takes: null (every position, no mask to consult) without regions.</summary>
    public static RegionMask? For(IReadOnlyList<RegionOptions> regions, int grid) => regions.Count == 0 ? null : Build(regions, grid);

    /// <summary>The mask of valid regions (see <see cref="RegionRules"/>) on a <paramref name="grid"/> x <paramref name="grid"/> grid.</summary>
    public static RegionMask Build(IReadOnlyList<RegionOptions> regions, int grid)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grid, 1);
        if (regions.Count == 0) return Everything(grid);
        var watch = regions.Where(r => r.Mode == RegionMode.Watch).ToArray();
        var exclude = regions.Where(r => r.Mode == RegionMode.Exclude).ToArray();
        var scored = new bool[grid * grid];
        const int samples = SamplesPerSide * SamplesPerSide;
        for (var row = 0; row < grid; row++)
        for (var column = 0; column < grid; column++)
        {
            var watched = 0;
            for (var sy = 0; sy < SamplesPerSide; sy++)
            for (var sx = 0; sx < SamplesPerSide; sx++)
            {
                var x = (column + (sx + 0.5) / SamplesPerSide) / grid;
                var y = (row + (sy + 0.5) / SamplesPerSide) / grid;
                var inside = watch.Length == 0 || watch.Any(r => Contains(r.Points, x, y));
                if (inside && !exclude.Any(r => Contains(r.Points, x, y))) watched++;
            }
            scored[row * grid + column] = 2 * watched >= samples;
        }
        return new RegionMask(grid, scored);
    }

    /// <summary>Even-odd rule: a point is inside when a ray from it crosses the polygon's edges an odd number of times.</summary>
    private static bool Contains(List<double[]> polygon, double x, double y)
    {
        var inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            double xi = polygon[i][0], yi = polygon[i][1], xj = polygon[j][0], yj = polygon[j][1];
            if (yi > y != yj > y && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }
}
