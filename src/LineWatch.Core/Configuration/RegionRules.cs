using System.Text.RegularExpressions;
using LineWatch.Scoring;

namespace LineWatch.Configuration;

/// <summary>The rules a camera's regions meet, shared by the configuration file's validation and the dashboard's save.</summary>
public static partial class RegionRules
{
    /// <param name="key">The regions' key path, e.g. Cameras:0:Regions.</param>
    public static void Validate(IReadOnlyList<RegionOptions> regions, string key, List<ConfigError> errors)
    {
        if (regions.Count > RegionOptions.MaxPerCamera) errors.Add(new(key, $"{regions.Count} regions; at most {RegionOptions.MaxPerCamera} per camera"));
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < regions.Count; i++)
        {
            var region = regions[i];
            var at = $"{key}:{i}";
            if (!RegionName().IsMatch(region.Name)) errors.Add(new($"{at}:Name", $"'{region.Name}' must be 1-64 letters, digits, spaces, '-' or '_'"));
            else if (!names.Add(region.Name)) errors.Add(new($"{at}:Name", $"'{region.Name}' is used by another region of this camera"));
            if (!Enum.IsDefined(region.Mode)) errors.Add(new($"{at}:Mode", $"'{region.Mode}' is not one of exclude|watch"));
            var points = region.Points;
            if (points.Count is < 3 or > RegionOptions.MaxPoints)
            {
                errors.Add(new($"{at}:Points", $"(region '{region.Name}') has {points.Count} points; a polygon needs 3 to {RegionOptions.MaxPoints}"));
                continue;
            }
            var wellFormed = true;
            for (var p = 0; p < points.Count; p++)
            {
                if (points[p] is not { Length: 2 } point)
                {
                    errors.Add(new($"{at}:Points:{p}", $"(region '{region.Name}') must be [x, y]"));
                    wellFormed = false;
                }
                else if (!(point[0] is >= 0 and <= 1) || !(point[1] is >= 0 and <= 1))
                {
                    errors.Add(new($"{at}:Points:{p}", $"(region '{region.Name}') [{point[0]}, {point[1]}] is outside the picture: x and y are 0..1 (left/top to right/bottom)"));
                    wellFormed = false;
                }
            }
            if (wellFormed && Math.Abs(Area(points)) < 1e-6) errors.Add(new($"{at}:Points", $"(region '{region.Name}') encloses no area (its points lie on a line)"));
        }
    }

    /// <summary>Regions that are valid on their own may still, together, leave no patch of the model's grid to score.</summary>
    public static void CheckCoverage(IReadOnlyList<RegionOptions> regions, string key, int grid, List<ConfigError> errors)
    {
        if (regions.Count > 0 && RegionMask.Build(regions, grid).ScoredCount == 0)
        {
            errors.Add(new(key, $"leave none of the {grid} x {grid} patches watched (a patch is scored when at least half of it is watched)"));
        }
    }

    /// <summary>Shoelace formula: twice the signed area, halved.</summary>
    private static double Area(List<double[]> points)
    {
        double sum = 0;
        for (int i = 0, j = points.Count - 1; i < points.Count; j = i++) sum += points[j][0] * points[i][1] - points[i][0] * points[j][1];
        return sum / 2;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_ -]{1,64}$")]
    private static partial Regex RegionName();
}
