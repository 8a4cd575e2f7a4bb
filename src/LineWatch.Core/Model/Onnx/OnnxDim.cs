namespace LineWatch.Model.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a symbolic name such as "batch".</summary>
public readonly record struct OnnxDim(long Size, string? Symbol)
{
    public static implicit operator OnnxDim(long size) => new(size, null);
    public static implicit operator OnnxDim(string symbol) => new(0, symbol);

    public override string ToString() => Symbol ?? Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
