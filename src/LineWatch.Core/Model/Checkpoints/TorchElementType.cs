using System.Buffers.Binary;

namespace LineWatch.Model.Checkpoints;

/// <summary>The element types of torch storages that convert to float32; complex and quantized ones do not.</summary>
internal enum TorchElementType
{
    Float64,
    Float32,
    Float16,
    BFloat16,
    Int64,
    Int32,
    Int16,
    Int8,
    UInt8,
    Bool,
}

internal static class TorchElementTypes
{
    /// <summary>The element type of a storage class as torch.save names it (torch.FloatStorage, torch.HalfStorage...).</summary>
    public static TorchElementType? FromStorageClass(PickleGlobal storageClass) =>
        storageClass.Module != "torch" ? null : storageClass.Name switch
        {
            "DoubleStorage" => TorchElementType.Float64,
            "FloatStorage" => TorchElementType.Float32,
            "HalfStorage" => TorchElementType.Float16,
            "BFloat16Storage" => TorchElementType.BFloat16,
            "LongStorage" => TorchElementType.Int64,
            "IntStorage" => TorchElementType.Int32,
            "ShortStorage" => TorchElementType.Int16,
            "CharStorage" => TorchElementType.Int8,
            // An untyped storage is bytes; torch itself views it as uint8.
            "ByteStorage" or "UntypedStorage" => TorchElementType.UInt8,
            "BoolStorage" => TorchElementType.Bool,
            _ => null,
        };

    public static int Size(this TorchElementType type) => type switch
    {
        TorchElementType.Float64 or TorchElementType.Int64 => 8,
        TorchElementType.Float32 or TorchElementType.Int32 => 4,
        TorchElementType.Float16 or TorchElementType.BFloat16 or TorchElementType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Element <paramref name="index"/> of a little-endian storage, as float32 (rounded to nearest).</summary>
    public static float Read(this TorchElementType type, ReadOnlySpan<byte> storage, long index)
    {
        var bytes = storage.Slice(checked((int)(index * type.Size())));
        return type switch
        {
            TorchElementType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes),
            TorchElementType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
            TorchElementType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes),
            // bfloat16 is the top half of a float32.
            TorchElementType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes) << 16),
            TorchElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            TorchElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            TorchElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            TorchElementType.Int8 => (sbyte)bytes[0],
            TorchElementType.UInt8 => bytes[0],
            TorchElementType.Bool => bytes[0] != 0 ? 1f : 0f,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }
}
