namespace LineWatch.Model.Backbone;

/// <summary>
/// The parameters of the official VideoMamba modules, by their state-dict key and shape. Both archs share them,
/// which is why official VideoMamba checkpoints load into VideoMambaPro too.
/// </summary>
public static class BackboneParameters
{
    public static IReadOnlyList<(string Name, long[] Shape)> For(BackboneSpec spec)
    {
        long d = spec.Dim, di = spec.Inner, n = BackboneSpec.StateSize, r = spec.DtRank, k = BackboneSpec.ConvKernel;
        var list = new List<(string, long[])>
        {
            ("cls_token", [1, 1, d]),
            ("pos_embed", [1, 1 + spec.PatchesPerFrame, d]),
            ("temporal_pos_embedding", [1, spec.Frames, d]),
            ("patch_embed.proj.weight", [d, 3, 1, BackboneSpec.PatchSize, BackboneSpec.PatchSize]),
            ("patch_embed.proj.bias", [d]),
        };
        for (var i = 0; i < spec.Depth; i++)
        {
            var p = $"layers.{i}.";
            list.Add((p + "norm.weight", [d]));
            list.Add((p + "mixer.in_proj.weight", [2 * di, d]));
            foreach (var suffix in new[] { "", "_b" })
            {
                list.Add((p + $"mixer.conv1d{suffix}.weight", [di, 1, k]));
                list.Add((p + $"mixer.conv1d{suffix}.bias", [di]));
                list.Add((p + $"mixer.x_proj{suffix}.weight", [r + 2 * n, di]));
                list.Add((p + $"mixer.dt_proj{suffix}.weight", [di, r]));
                list.Add((p + $"mixer.dt_proj{suffix}.bias", [di]));
            }
            list.Add((p + "mixer.A_log", [di, n]));
            list.Add((p + "mixer.D", [di]));
            list.Add((p + "mixer.A_b_log", [di, n]));
            list.Add((p + "mixer.D_b", [di]));
            list.Add((p + "mixer.out_proj.weight", [d, di]));
        }
        list.Add(("norm_f.weight", [d]));
        if (spec.HeadClasses > 0)
        {
            list.Add(("head.weight", [spec.HeadClasses, d]));
            list.Add(("head.bias", [spec.HeadClasses]));
        }
        return list;
    }

    public static long Count(BackboneSpec spec) => For(spec).Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
}
