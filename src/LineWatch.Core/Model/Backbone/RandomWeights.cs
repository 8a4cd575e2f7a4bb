namespace LineWatch.Model.Backbone;

/// <summary>
/// Deterministic weights following the official initialisation, for benchmarks, tests and a first model before
/// a checkpoint is imported: truncated-normal (std 0.02) linear and embedding weights, A_log = log(1..N),
/// D = 1, dt_proj bias = softplus⁻¹ of a log-uniform step in [1e-3, 1e-1], conv1d uniform (PyTorch's default
/// for a depthwise kernel of 4), out_proj scaled down by √depth as Mamba does for pre-norm residuals.
/// The same seed gives the same bytes on every machine (own generator, not System.Random).
/// </summary>
public static class RandomWeights
{
    private const double TruncStd = 0.02;
    private const double DtMin = 1e-3, DtMax = 1e-1, DtFloor = 1e-4;

    public static BackboneWeights Create(BackboneSpec spec, ulong seed)
    {
        var random = new SplitMix64(seed);
        var tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var (name, shape) in BackboneParameters.For(spec))
        {
            var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
            Fill(name, shape, data, spec, random);
            tensors[name] = new WeightTensor(shape, data);
        }
        return new BackboneWeights(spec, tensors, $"random seed {seed}");
    }

    private static void Fill(string name, long[] shape, float[] data, BackboneSpec spec, SplitMix64 random)
    {
        var leaf = name[(name.LastIndexOf('.') + 1)..];
        var module = name.Contains(".mixer.") ? name.Split('.')[3] : "";
        switch (leaf)
        {
            case "A_log" or "A_b_log":
                for (var i = 0; i < data.Length; i++) data[i] = (float)Math.Log(i % shape[1] + 1);
                break;
            case "D" or "D_b":
                Array.Fill(data, 1f);
                break;
            case "weight" when name.EndsWith("norm.weight", StringComparison.Ordinal) || name == "norm_f.weight":
                Array.Fill(data, 1f);
                break;
            case "weight" when module.StartsWith("conv1d", StringComparison.Ordinal):
            case "bias" when module.StartsWith("conv1d", StringComparison.Ordinal):
                var bound = 1.0 / Math.Sqrt(BackboneSpec.ConvKernel);
                for (var i = 0; i < data.Length; i++) data[i] = (float)((random.NextDouble() * 2 - 1) * bound);
                break;
            case "weight" when module.StartsWith("dt_proj", StringComparison.Ordinal):
                var std = Math.Pow(spec.DtRank, -0.5);
                for (var i = 0; i < data.Length; i++) data[i] = (float)((random.NextDouble() * 2 - 1) * std);
                break;
            case "bias" when module.StartsWith("dt_proj", StringComparison.Ordinal):
                for (var i = 0; i < data.Length; i++)
                {
                    var dt = Math.Max(DtFloor, Math.Exp(random.NextDouble() * (Math.Log(DtMax) - Math.Log(DtMin)) + Math.Log(DtMin)));
                    data[i] = (float)(dt + Math.Log(-double.ExpM1(-dt))); // softplus⁻¹(dt)
                }
                break;
            case "bias":
                break; // zeros
            default:
                var scale = module == "out_proj" ? 1 / Math.Sqrt(spec.Depth) : 1.0;
                for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextTruncatedNormal() * TruncStd * scale);
                break;
        }
    }

    /// <summary>SplitMix64: tiny, fast, and its sequence is fixed by its definition, so weights are reproducible.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;
        private double? _spare;

        public double NextDouble()
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }

        /// <summary>Standard normal truncated to ±2 (resampled), as timm's trunc_normal_ does in units of std.</summary>
        public double NextTruncatedNormal()
        {
            while (true)
            {
                var value = NextNormal();
                if (Math.Abs(value) <= 2) return value;
            }
        }

        private double NextNormal()
        {
            if (_spare is { } spare)
            {
                _spare = null;
                return spare;
            }
            double u, v, s;
            do
            {
                u = NextDouble() * 2 - 1;
                v = NextDouble() * 2 - 1;
                s = u * u + v * v;
            }
            while (s is >= 1 or 0);
            var factor = Math.Sqrt(-2 * Math.Log(s) / s);
            _spare = v * factor;
            return u * factor;
        }
    }
}
