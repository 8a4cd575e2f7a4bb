namespace LineWatch.Model.Backbone;

public enum BackboneArch
{
    /// <summary>VideoMamba: bidirectional Mamba blocks over spatio-temporal tokens.</summary>
    VideoMamba,
    /// <summary>VideoMambaPro: VideoMamba with a masked backward diagonal and the element residual (same weights).</summary>
    VideoMambaPro,
}

public enum ScanKind
{
    /// <summary>Our ai.linewatch::SelectiveScan operator (needs liblinewatch_ortops.so).</summary>
    Custom,
    /// <summary>The scan written with the standard ONNX Scan operator: runs anywhere, slowly; the correctness reference.</summary>
    Portable,
}

/// <summary>
/// Every size that shapes the backbone graph. The named sizes follow the official models (patch 16, tubelet 1,
/// d_state 16, d_conv 4, expand 2, dt_rank = ceil(D/16)); <see cref="Custom"/> allows smaller ones for tests.
/// </summary>
public sealed record BackboneSpec(BackboneArch Arch, int Dim, int Depth, int Frames, int ImageSize, int HeadClasses = 0)
{
    public const int PatchSize = 16;
    public const int StateSize = 16;
    public const int ConvKernel = 4;
    public const int Expand = 2;
    public const float NormEpsilon = 1e-5f;

    public static readonly IReadOnlyDictionary<string, (int Dim, int Depth)> Sizes = new Dictionary<string, (int, int)>(StringComparer.OrdinalIgnoreCase)
    {
        ["tiny"] = (192, 24),
        ["small"] = (384, 24),
        ["middle"] = (576, 32),
    };

    public static BackboneSpec Named(BackboneArch arch, string size, int frames, int imageSize, int headClasses = 0)
    {
        if (!Sizes.TryGetValue(size, out var s)) throw new ArgumentException($"unknown size '{size}'; use {string.Join(", ", Sizes.Keys)}", nameof(size));
        return Custom(arch, s.Dim, s.Depth, frames, imageSize, headClasses);
    }

    public static BackboneSpec Custom(BackboneArch arch, int dim, int depth, int frames, int imageSize, int headClasses = 0)
    {
        if (dim < 16 || dim % 16 != 0) throw new ArgumentException($"embedding dim {dim} must be a positive multiple of 16");
        if (depth < 1) throw new ArgumentException($"depth {depth} must be at least 1");
        if (frames < 1 || frames > 256) throw new ArgumentException($"frames {frames} must be 1-256");
        if (imageSize < PatchSize || imageSize % PatchSize != 0) throw new ArgumentException($"image size {imageSize} must be a positive multiple of {PatchSize}");
        if (headClasses < 0) throw new ArgumentException("head classes cannot be negative");
        return new BackboneSpec(arch, dim, depth, frames, imageSize, headClasses);
    }

    public int Inner => Expand * Dim;
    public int DtRank => (Dim + 15) / 16;
    public int Grid => ImageSize / PatchSize;
    public int PatchesPerFrame => Grid * Grid;

    /// <summary>Sequence length: the class token, then T frames of Grid² patches.</summary>
    public int Tokens => 1 + Frames * PatchesPerFrame;

    /// <summary>The name of the matching official size, or "custom".</summary>
    public string SizeName => Sizes.FirstOrDefault(s => s.Value == (Dim, Depth)).Key ?? "custom";
}
