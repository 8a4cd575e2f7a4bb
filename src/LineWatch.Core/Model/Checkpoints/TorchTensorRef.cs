using System.Runtime.InteropServices;

namespace LineWatch.Model.Checkpoints;

/// <summary>A storage as torch.save's persistent id names it: the archive entry data/&lt;Key&gt; and its class.</summary>
internal sealed record TorchStorageRef(string Key, PickleGlobal StorageClass)
{
    public override string ToString() => $"a {StorageClass} '{Key}'";
}

/// <summary>
/// A tensor as torch._utils._rebuild_tensor_v2 describes it: a view (offset, shape and strides, in elements) into
/// a storage. The storage is read only for tensors the caller returns, so optimizer state costs nothing.
/// </summary>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Shape, long[] Strides)
{
    /// <summary>The number of elements, or an InvalidDataException when that is more than an array can hold.</summary>
    public int ElementCount()
    {
        if (Shape.Contains(0)) return 0;
        long count = 1;
        foreach (var size in Shape)
        {
            if (count > Array.MaxLength / size) throw new InvalidDataException($"shape {Format(Shape)} is too large");
            count *= size;
        }
        return (int)count;
    }

    /// <summary>One past the last storage element the view reads; 0 for an empty tensor.</summary>
    public long Extent()
    {
        if (ElementCount() == 0) return 0;
        try
        {
            var last = Offset;
            for (var d = 0; d < Shape.Length; d++) last = checked(last + (Shape[d] - 1) * Strides[d]);
            return checked(last + 1);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"offset {Offset} with shape {Format(Shape)} and strides {Format(Strides)} overflows");
        }
    }

    /// <summary>The view's elements in row-major order, converted to float32; the storage must cover <see cref="Extent"/>.</summary>
    public float[] Gather(ReadOnlySpan<byte> storage, TorchElementType type)
    {
        var data = new float[ElementCount()];
        if (data.Length == 0) return data;
        if (type == TorchElementType.Float32 && IsContiguous())
        {
            // The bulk of every checkpoint: one copy (storages are little-endian, as is every platform we run on).
            MemoryMarshal.Cast<byte, float>(storage.Slice(checked((int)Offset * 4), data.Length * 4)).CopyTo(data);
            return data;
        }
        var index = new long[Shape.Length];
        var position = Offset;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = type.Read(storage, position);
            for (var d = Shape.Length - 1; d >= 0; d--)
            {
                if (++index[d] < Shape[d])
                {
                    position += Strides[d];
                    break;
                }
                position -= (Shape[d] - 1) * Strides[d];
                index[d] = 0;
            }
        }
        return data;
    }

    private bool IsContiguous()
    {
        long expected = 1;
        for (var d = Shape.Length - 1; d >= 0; d--)
        {
            // A dimension of size 1 may carry any stride; it never moves through the storage.
            if (Shape[d] != 1 && Strides[d] != expected) return false;
            expected *= Shape[d];
        }
        return true;
    }

    public override string ToString() => $"a tensor of shape {Format(Shape)}";

    public static string Format(long[] values) => "[" + string.Join(", ", values) + "]";
}
