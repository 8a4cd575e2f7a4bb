using LineWatch.Configuration;
using LineWatch.Scoring;

namespace LineWatch.Tests.Scoring;

/// <summary>The rule that turns a camera's polygons into the patches it scores (docs/scoring.md, "Regions").</summary>
public class RegionMaskTests
{
    internal static RegionOptions Region(RegionMode mode, params double[] xy) =>
        new() { Name = mode.ToString(), Mode = mode, Points = xy.Chunk(2).Select(p => p.ToArray()).ToList() };

    private static string Picture(RegionMask mask) =>
        string.Join("/", Enumerable.Range(0, mask.Grid).Select(r => string.Concat(Enumerable.Range(0, mask.Grid).Select(c => mask.Scored[r * mask.Grid + c] ? 'o' : '.'))));

    [Fact]
    public void No_regions_score_every_patch()
    {
        var mask = RegionMask.Build([], 4);
        Assert.True(mask.IsEverything);
        Assert.Equal(16, mask.ScoredCount);
    }

    [Fact]
    public void A_patch_more_than_half_excluded_leaves_the_score_and_one_half_excluded_stays()
    {
        // On a 4 x 4 grid (patches 0.25 wide): x < 0.375 covers column 0 whole and half of column 1; y < 0.3 covers
        // row 0 whole and a fifth of row 1. Column 1 of row 0 is exactly half excluded, row 1 a fifth: both kept.
        var mask = RegionMask.Build([Region(RegionMode.Exclude, 0, 0, 0.375, 0, 0.375, 0.3, 0, 0.3)], 4);
        Assert.Equal(".ooo/oooo/oooo/oooo", Picture(mask));

        // A little more than half of column 1: it goes too.
        var wider = RegionMask.Build([Region(RegionMode.Exclude, 0, 0, 0.4, 0, 0.4, 0.3, 0, 0.3)], 4);
        Assert.Equal("..oo/oooo/oooo/oooo", Picture(wider));
    }

    [Fact]
    public void Watch_regions_leave_everything_else_out_and_an_exclude_inside_one_cuts_a_hole()
    {
        var watch = Region(RegionMode.Watch, 0.5, 0, 1, 0, 1, 1, 0.5, 1); // the right half
        Assert.Equal("..oo/..oo/..oo/..oo", Picture(RegionMask.Build([watch], 4)));

        var clock = Region(RegionMode.Exclude, 0.75, 0, 1, 0, 1, 0.25, 0.75, 0.25); // top-right patch
        Assert.Equal("..o./..oo/..oo/..oo", Picture(RegionMask.Build([watch, clock], 4)));
    }

    [Fact]
    public void A_thin_strip_across_patches_excludes_none_of_them()
    {
        // A cable drawn as a strip 0.05 high across the picture covers a fifth of each patch of row 1.
        var mask = RegionMask.Build([Region(RegionMode.Exclude, 0, 0.3, 1, 0.3, 1, 0.35, 0, 0.35)], 4);
        Assert.True(mask.IsEverything);
    }

    [Fact]
    public void The_same_polygon_lands_on_the_same_place_of_any_grid()
    {
        // Normalised coordinates: the left half is the left half at 7 x 7 (the 112 model) and at 14 x 14 (224).
        var left = Region(RegionMode.Exclude, 0, 0, 0.5, 0, 0.5, 1, 0, 1);
        Assert.Equal(7 * 4, RegionMask.Build([left], 7).ScoredCount); // column 3 is exactly half: kept
        Assert.Equal(14 * 7, RegionMask.Build([left], 14).ScoredCount);
    }
}
