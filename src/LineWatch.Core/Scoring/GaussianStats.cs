using System.Numerics;

namespace LineWatch.Scoring;

/// <summary>
/// Sufficient statistics of a set of feature vectors (weight, weighted sum, weighted sum of outer products),
/// in double. They are what a profile stores, so normal samples can be added later (operator feedback, with
/// more weight) without the originals.
/// </summary>
public sealed class GaussianStats
{
    public GaussianStats(int dim)
    {
        Dim = dim;
        Sum = new double[dim];
        Outer = new double[dim * dim];
    }

    internal GaussianStats(int dim, double count, double[] sum, double[] outer)
    {
        Dim = dim;
        Count = count;
        Sum = sum;
        Outer = outer;
    }

    public int Dim { get; }
    /// <summary>Total weight: the number of samples when all were added with weight 1.</summary>
    public double Count { get; private set; }
    internal double[] Sum { get; }
    internal double[] Outer { get; }

    public void Add(ReadOnlySpan<float> x, double weight = 1)
    {
        if (x.Length != Dim) throw new ArgumentException($"vector of {x.Length}, expected {Dim}");
        Count += weight;
        for (var i = 0; i < Dim; i++)
        {
            var xi = weight * x[i];
            Sum[i] += xi;
            var row = Outer.AsSpan(i * Dim, Dim);
            for (var j = i; j < Dim; j++) row[j] += xi * x[j]; // upper triangle; mirrored when fitted
        }
    }

    /// <summary>
    /// Mean and covariance, with <paramref name="varianceFloor"/> added to every variance, inverted. The floor is
    /// the smallest spread a feature is credited with: directions in which normal windows barely vary (a static
    /// background under steady light) would otherwise turn the slightest sensor noise, compression or shake into
    /// a huge distance, while a fault moves features far beyond it. It also keeps the covariance well-conditioned.
    /// </summary>
    public GaussianModel Fit(double varianceFloor)
    {
        if (Count < 2) throw new InvalidOperationException($"need at least 2 samples to fit, have {Count}");
        if (!(varianceFloor > 0)) throw new ArgumentOutOfRangeException(nameof(varianceFloor), "the variance floor must be positive");
        int p = Dim;
        double n = Count;
        var mean = new double[p];
        for (var i = 0; i < p; i++) mean[i] = Sum[i] / n;
        var cov = new double[p * p];
        for (var i = 0; i < p; i++)
        for (var j = i; j < p; j++)
        {
            var c = (Outer[i * p + j] - n * mean[i] * mean[j]) / (n - 1);
            cov[i * p + j] = c;
            cov[j * p + i] = c;
        }
        for (var i = 0; i < p; i++) cov[i * p + i] = Math.Max(cov[i * p + i], 0) + varianceFloor;
        return new GaussianModel(mean.Select(v => (float)v).ToArray(), InverseCholesky(cov, p));
    }

    /// <summary>W = L⁻¹ for cov = L Lᵀ, so that (x-μ)ᵀ cov⁻¹ (x-μ) = |W (x-μ)|².</summary>
    private static float[] InverseCholesky(double[] a, int p)
    {
        var l = new double[p * p];
        for (var j = 0; j < p; j++)
        {
            var d = a[j * p + j];
            for (var k = 0; k < j; k++) d -= l[j * p + k] * l[j * p + k];
            if (d <= 0) throw new InvalidOperationException("covariance is not positive definite");
            l[j * p + j] = Math.Sqrt(d);
            for (var i = j + 1; i < p; i++)
            {
                var s = a[i * p + j];
                for (var k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
                l[i * p + j] = s / l[j * p + j];
            }
        }
        var w = new double[p * p];
        for (var col = 0; col < p; col++)
        {
            // Solve L w = e_col by forward substitution.
            for (var i = col; i < p; i++)
            {
                var s = i == col ? 1.0 : 0.0;
                for (var k = col; k < i; k++) s -= l[i * p + k] * w[k * p + col];
                w[i * p + col] = s / l[i * p + i];
            }
        }
        return w.Select(v => (float)v).ToArray();
    }
}

/// <summary>A fitted Gaussian: scores a vector by its squared Mahalanobis distance divided by the dimension (≈1 for normal data).</summary>
public sealed class GaussianModel(float[] mean, float[] whitening)
{
    public int Dim => mean.Length;

    public float Score(ReadOnlySpan<float> x, Span<float> scratch)
    {
        var p = mean.Length;
        for (var i = 0; i < p; i++) scratch[i] = x[i] - mean[i];
        var centred = scratch[..p];
        double total = 0;
        for (var i = 0; i < p; i++)
        {
            // W is lower triangular: row i only reaches column i.
            var y = Dot(whitening.AsSpan(i * p, i + 1), centred[..(i + 1)]);
            total += y * y;
        }
        return (float)(total / p);
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count) sum += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }
}
