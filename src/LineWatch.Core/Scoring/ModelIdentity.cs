using System.Security.Cryptography;
using LineWatch.Model.Onnx;

namespace LineWatch.Scoring;

/// <summary>
/// What makes features comparable: the backbone (from the model's metadata) and the exact file (its SHA-256).
/// A profile learned with one model is refused by another, even one of the same shape with other weights.
/// </summary>
public sealed record ModelIdentity(string Arch, string Size, int Dim, int Frames, int ImageSize, string Weights, string Sha256)
{
    public static ModelIdentity Of(string modelPath)
    {
        var model = OnnxModelFile.Load(modelPath);
        var meta = model.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        string Get(string key) => meta.TryGetValue($"linewatch.{key}", out var v) ? v : "";
        int GetInt(string key) => int.TryParse(Get(key), out var v) ? v : 0;
        using var stream = File.OpenRead(modelPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new ModelIdentity(Get("arch"), Get("size"), GetInt("dim"), GetInt("frames"), GetInt("image_size"), Get("weights"), hash);
    }

    public override string ToString() => $"{Arch} {Size} D={Dim} T={Frames} {ImageSize}² ({Weights}, sha256 {Sha256[..12]})";
}
