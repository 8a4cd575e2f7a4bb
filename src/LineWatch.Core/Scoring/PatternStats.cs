namespace LineWatch.Scoring;

/// <summary>
/// What <see cref="BeltPattern"/> learned of a camera's belt: which strips make its profile (a weight per strip, rows
/// then columns, summing to 1), the pattern's period along the belt, and per compared position the weighted count,
/// sum and sum of squares of the frames' differences with their neighbours, so feedback can add frames later as it
/// does to <see cref="MotionStats"/>. Empty (no strips) for a camera without a belt or too short a one.
/// </summary>
public sealed class PatternStats
{
    public static PatternStats None(int grid) => new(grid, new float[2 * grid], 0, 0, [], []);

    internal PatternStats(int grid, float[] weights, int period, double count, double[] sum, double[] squares)
    {
        if (weights.Length != 2 * grid) throw new ArgumentException($"{weights.Length} strip weights for a {grid} x {grid} grid; expected {2 * grid}");
        if (sum.Length != squares.Length) throw new ArgumentException($"{sum.Length} sums but {squares.Length} sums of squares");
        Grid = grid;
        Weights = weights;
        Period = period;
        Count = count;
        Sum = sum;
        Squares = squares;
    }

    public int Grid { get; }

    /// <summary>Each strip's share of the belt's profile: rows 0..G-1, then columns.</summary>
    internal float[] Weights { get; }

    /// <summary>The distance in pixels along the belt at which its pattern repeats; 0 without a belt.</summary>
    public int Period { get; }

    public double Count { get; private set; }
    internal double[] Sum { get; }
    internal double[] Squares { get; }

    /// <summary>Whether a belt was learned: strips, a period and positions to compare.</summary>
    public bool IsLearned => Period > 0 && Sum.Length > 0;

    /// <summary>Adds one frame's differences (one per compared position).</summary>
    public void Add(ReadOnlySpan<float> differences, double weight = 1)
    {
        if (differences.Length != Sum.Length) throw new ArgumentException($"{differences.Length} differences, expected {Sum.Length}");
        Count += weight;
        for (var i = 0; i < Sum.Length; i++)
        {
            Sum[i] += weight * differences[i];
            Squares[i] += weight * differences[i] * differences[i];
        }
    }
}
