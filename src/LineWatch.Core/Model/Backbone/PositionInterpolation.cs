namespace LineWatch.Model.Backbone;

/// <summary>
/// Resizes positional embeddings when a checkpoint trained at one clip shape is used at another, the way the
/// official code does with PyTorch's F.interpolate (align_corners=False): bicubic (a = -0.75, clamped borders)
/// over the spatial grid, linear over time. Results equal PyTorch's to float rounding.
/// </summary>
public static class PositionInterpolation
{
    private const double CubicA = -0.75;

    /// <summary>pos_embed (1, 1+g0², D) -> (1, 1+g², D); the class-token entry is kept as is.</summary>
    public static float[] Spatial(float[] pos, int fromGrid, int toGrid, int dim)
    {
        var result = new float[(1 + toGrid * toGrid) * dim];
        Array.Copy(pos, result, dim);
        var rows = new double[toGrid * fromGrid];                    // after resizing rows, before columns
        for (var c = 0; c < dim; c++)
        {
            double Source(int y, int x) => pos[(1 + y * fromGrid + x) * dim + c];
            for (var oy = 0; oy < toGrid; oy++)
            {
                var (taps, weights) = CubicTaps(oy, fromGrid, toGrid);
                for (var x = 0; x < fromGrid; x++)
                {
                    var sum = 0.0;
                    for (var k = 0; k < 4; k++) sum += weights[k] * Source(taps[k], x);
                    rows[oy * fromGrid + x] = sum;
                }
            }
            for (var oy = 0; oy < toGrid; oy++)
            for (var ox = 0; ox < toGrid; ox++)
            {
                var (taps, weights) = CubicTaps(ox, fromGrid, toGrid);
                var sum = 0.0;
                for (var k = 0; k < 4; k++) sum += weights[k] * rows[oy * fromGrid + taps[k]];
                result[(1 + oy * toGrid + ox) * dim + c] = (float)sum;
            }
        }
        return result;
    }

    /// <summary>temporal_pos_embedding (1, T0, D) -> (1, T, D), linear.</summary>
    public static float[] Temporal(float[] pos, int fromFrames, int toFrames, int dim)
    {
        var result = new float[toFrames * dim];
        var scale = (double)fromFrames / toFrames;
        for (var t = 0; t < toFrames; t++)
        {
            var s = Math.Max((t + 0.5) * scale - 0.5, 0);
            var i0 = (int)Math.Floor(s);
            var i1 = Math.Min(i0 + 1, fromFrames - 1);
            var f = s - i0;
            for (var c = 0; c < dim; c++) result[t * dim + c] = (float)((1 - f) * pos[i0 * dim + c] + f * pos[i1 * dim + c]);
        }
        return result;
    }

    private static (int[] Taps, double[] Weights) CubicTaps(int output, int inSize, int outSize)
    {
        var s = (output + 0.5) * inSize / outSize - 0.5;
        var f = (int)Math.Floor(s);
        var t = s - f;
        var taps = new int[4];
        var weights = new double[4];
        for (var k = -1; k <= 2; k++)
        {
            taps[k + 1] = Math.Clamp(f + k, 0, inSize - 1);
            weights[k + 1] = Cubic(k - t);
        }
        return (taps, weights);
    }

    private static double Cubic(double x)
    {
        x = Math.Abs(x);
        if (x <= 1) return ((CubicA + 2) * x - (CubicA + 3)) * x * x + 1;
        if (x < 2) return ((CubicA * x - 5 * CubicA) * x + 8 * CubicA) * x - 4 * CubicA;
        return 0;
    }
}
