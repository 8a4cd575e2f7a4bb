using LineWatch.Model;

namespace LineWatch.IntegrationTests.Inference;

/// <summary>
/// The selective scan written as plainly as the equations (DESIGN.md §3), in double precision: the reference the
/// custom op is checked against. Deliberately shares nothing with the C++ kernel.
/// </summary>
internal static class ScanReference
{
    public static float[] Run(ScanInputs x, ScanFlags flags)
    {
        var y = new float[x.Batch * x.Channels * x.Length];
        for (var b = 0; b < x.Batch; b++)
        for (var d = 0; d < x.Channels; d++)
        {
            var h = new double[x.State];
            var order = Enumerable.Range(0, x.Length).ToArray();
            if (flags.Reverse) Array.Reverse(order);
            if (flags.InitFromInput) Array.Fill(h, x.U[x.Bdl(b, d, order[0])]);
            for (var step = 0; step < order.Length; step++)
            {
                var t = order[step];
                double dt = x.Delta[x.Bdl(b, d, t)] + x.DeltaBias[d];
                if (flags.DeltaSoftplus) dt = dt > 20 ? dt : Math.Log(1 + Math.Exp(dt));
                double u = x.U[x.Bdl(b, d, t)];
                double sum = 0;
                for (var n = 0; n < x.State; n++)
                {
                    var input = dt * x.B[x.Bnl(b, n, t)] * u;
                    h[n] = Math.Exp(dt * x.A[d * x.State + n]) * h[n] + input;
                    sum += x.C[x.Bnl(b, n, t)] * (flags.MaskDiagonal ? h[n] - input : h[n]);
                }
                if (flags.MaskDiagonal && step == 0) sum = 0;
                double z = x.Z[x.Bdl(b, d, t)];
                y[x.Bdl(b, d, t)] = (float)((sum + x.D[d] * u) * (z / (1 + Math.Exp(-z))));
            }
        }
        return y;
    }
}

/// <summary>Random scan inputs with realistic ranges: A negative (A = -exp(A_log)), delta around the softplus knee.</summary>
internal sealed class ScanInputs
{
    public ScanInputs(int batch, int channels, int length, int state, int seed)
    {
        (Batch, Channels, Length, State) = (batch, channels, length, state);
        var random = new Random(seed);
        float Uniform(float lo, float hi) => lo + (float)random.NextDouble() * (hi - lo);
        float[] Fill(int n, float lo, float hi) => Enumerable.Range(0, n).Select(_ => Uniform(lo, hi)).ToArray();
        U = Fill(batch * channels * length, -2, 2);
        Delta = Fill(batch * channels * length, -3, 1);
        A = Enumerable.Range(0, channels * state).Select(i => -(float)(i % state + 1) * Uniform(0.5f, 1.5f)).ToArray();
        B = Fill(batch * state * length, -1, 1);
        C = Fill(batch * state * length, -1, 1);
        D = Fill(channels, 0.5f, 1.5f);
        Z = Fill(batch * channels * length, -3, 3);
        DeltaBias = Fill(channels, -4, -1);
    }

    public int Batch { get; }
    public int Channels { get; }
    public int Length { get; }
    public int State { get; }
    public float[] U { get; }
    public float[] Delta { get; }
    public float[] A { get; }
    public float[] B { get; }
    public float[] C { get; }
    public float[] D { get; }
    public float[] Z { get; }
    public float[] DeltaBias { get; }

    public int Bdl(int b, int d, int t) => (b * Channels + d) * Length + t;
    public int Bnl(int b, int n, int t) => (b * State + n) * Length + t;
}
