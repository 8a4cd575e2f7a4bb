using LineWatch.Model.Checkpoints;

namespace LineWatch.Model.Backbone;

/// <summary>
/// Backbone weights from an official VideoMamba checkpoint (.pth): the state dict's keys mapped one to one,
/// positional embeddings resized when the clip shape differs, and a refusal that lists every missing,
/// unexpected or mis-shaped key otherwise. A checkpoint's classification head is ignored unless --head asks
/// for one of the same size.
/// </summary>
public static class CheckpointWeights
{
    public static BackboneWeights Load(BackboneSpec spec, string path)
    {
        var state = PyTorchCheckpoint.ReadStateDict(path);
        var expected = BackboneParameters.For(spec);
        var expectedNames = expected.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var tensors = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        var problems = new List<string>();

        foreach (var (name, shape) in expected)
        {
            if (!state.TryGetValue(name, out var tensor))
            {
                problems.Add($"missing {name} {BackboneWeights.Shape(shape)}");
                continue;
            }
            if (tensor.Shape.SequenceEqual(shape)) tensors[name] = new WeightTensor(tensor.Shape, tensor.Data);
            else if (Resize(spec, name, tensor) is { } resized) tensors[name] = resized;
            else problems.Add($"{name} is {BackboneWeights.Shape(tensor.Shape)}, expected {BackboneWeights.Shape(shape)}");
        }
        var unexpected = state.Keys.Where(k => !expectedNames.Contains(k) && !(spec.HeadClasses == 0 && k.StartsWith("head.", StringComparison.Ordinal))).ToList();
        if (unexpected.Count > 0) problems.Add("unexpected " + string.Join(", ", unexpected.Take(20)) + (unexpected.Count > 20 ? $" and {unexpected.Count - 20} more" : ""));

        if (problems.Count > 0)
        {
            throw new ArgumentException($"checkpoint {path} does not fit {spec.Arch} D={spec.Dim} depth {spec.Depth}{Hint(state, spec)}: " + string.Join("; ", problems));
        }
        return new BackboneWeights(spec, tensors, Path.GetFileName(path));
    }

    /// <summary>Only the positional embeddings may differ in shape: they follow the clip's frames and image size.</summary>
    private static WeightTensor? Resize(BackboneSpec spec, string name, CheckpointTensor tensor)
    {
        var shape = tensor.Shape;
        if (shape.Length != 3 || shape[0] != 1 || shape[2] != spec.Dim) return null;
        if (name == "temporal_pos_embedding" && shape[1] >= 1)
        {
            return new WeightTensor([1, spec.Frames, spec.Dim], PositionInterpolation.Temporal(tensor.Data, (int)shape[1], spec.Frames, spec.Dim));
        }
        if (name == "pos_embed")
        {
            var grid = (int)Math.Round(Math.Sqrt(shape[1] - 1));
            if (grid < 1 || grid * grid != shape[1] - 1) return null;
            return new WeightTensor([1, 1 + spec.PatchesPerFrame, spec.Dim], PositionInterpolation.Spatial(tensor.Data, grid, spec.Grid, spec.Dim));
        }
        return null;
    }

    /// <summary>When the sizes are simply wrong, say what the checkpoint is, so the fix is obvious.</summary>
    private static string Hint(IReadOnlyDictionary<string, CheckpointTensor> state, BackboneSpec spec)
    {
        if (!state.TryGetValue("norm_f.weight", out var norm) || norm.Shape.Length != 1) return "";
        var dim = (int)norm.Shape[0];
        var depth = state.Keys.Where(k => k.StartsWith("layers.", StringComparison.Ordinal))
            .Select(k => int.TryParse(k.Split('.')[1], out var i) ? i + 1 : 0).DefaultIfEmpty(0).Max();
        if (dim == spec.Dim && depth == spec.Depth) return "";
        var named = BackboneSpec.Sizes.FirstOrDefault(s => s.Value == (dim, depth)).Key;
        return $" (the checkpoint holds D={dim}, depth {depth}{(named is null ? "" : $": use --size {named}")})";
    }
}
