namespace LineWatch.Model.Checkpoints;

/// <summary>One entry of a checkpoint's state dict: its values as float32, contiguous and row-major.</summary>
public sealed class CheckpointTensor
{
    public CheckpointTensor(string name, long[] shape, float[] data)
    {
        if (shape.Any(size => size < 0) || ElementCount(shape) != data.Length)
        {
            throw new ArgumentException($"'{name}' has shape [{string.Join(", ", shape)}] but {data.Length} values", nameof(data));
        }
        Name = name;
        Shape = shape;
        Data = data;
    }

    public string Name { get; }

    /// <summary>The size of each dimension; empty for a 0-d scalar (which has one value).</summary>
    public long[] Shape { get; }

    public float[] Data { get; }

    private static long ElementCount(long[] shape)
    {
        try
        {
            return shape.Aggregate(1L, (count, size) => checked(count * size));
        }
        catch (OverflowException)
        {
            return -1;
        }
    }
}
