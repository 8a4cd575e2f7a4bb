using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using LineWatch.Storage;

namespace LineWatch.Model.Numpy;

/// <summary>
/// NumPy's .npy format (numpy/lib/format.py): reads C-ordered float32 or float64 arrays as float32, writes float32,
/// so arrays pass to and from numpy without conversion scripts.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy starts the data on a multiple of 64 bytes so that a memory-mapped array is aligned.
    private const int HeaderAlignment = 64;

    /// <summary>The array's shape (empty for a 0-d array) and values; a malformed file raises FormatException naming it.</summary>
    public static (long[] Shape, float[] Data) Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> preamble = stackalloc byte[Magic.Length + 2];
        if (stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false) < preamble.Length
            || !preamble[..Magic.Length].SequenceEqual(Magic))
        {
            throw Error(path, "is not a .npy file (it does not start with \\x93NUMPY)");
        }
        var (major, minor) = (preamble[Magic.Length], preamble[Magic.Length + 1]);
        // Version 1.0 has a 2-byte header length; 2.0 a 4-byte one; 3.0 is 2.0 with a UTF-8 rather than latin-1 header.
        var lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw Error(path, $"has .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are supported"),
        };
        Span<byte> lengthField = stackalloc byte[lengthBytes];
        if (stream.ReadAtLeast(lengthField, lengthBytes, throwOnEndOfStream: false) < lengthBytes) throw Error(path, "is truncated in its header");
        var headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > stream.Length - stream.Position) throw Error(path, "is truncated in its header");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (shape, itemSize, count) = ParseHeader(path, header);

        var available = stream.Length - stream.Position;
        if (count * itemSize > available)
        {
            throw Error(path, $"is truncated: shape {Tuple(shape)} needs {count * itemSize} bytes of data and {available} follow the header");
        }
        var data = new float[count];
        if (itemSize == sizeof(float))
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        else
        {
            ReadDoubles(stream, data);
        }
        return (shape, data);
    }

    /// <summary>Writes a version 1.0 '&lt;f4' file through <see cref="AtomicFile"/>, so a reader never sees half of one.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, long[] shape)
    {
        if (shape.Any(size => size < 0) || ElementCount(shape) != data.Length)
        {
            throw new ArgumentException($"shape {Tuple(shape)} does not hold {data.Length} values", nameof(shape));
        }
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {Tuple(shape)}, }}";
        // Spaces pad the header so magic, version, length, header and its closing newline end on the alignment.
        var unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        var header = dict + new string(' ', (HeaderAlignment - unpadded % HeaderAlignment) % HeaderAlignment) + "\n";
        if (header.Length > ushort.MaxValue) throw new ArgumentException($"{shape.Length} dimensions do not fit a version 1.0 header", nameof(shape));

        using var file = AtomicFile.Create(path);
        file.Stream.Write(Magic);
        file.Stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.Stream.Write(length);
        file.Stream.Write(Encoding.Latin1.GetBytes(header));
        // '<f4' is little-endian, as is every platform LineWatch runs on.
        file.Stream.Write(MemoryMarshal.AsBytes(data));
        file.Commit();
    }

    private static (long[] Shape, int ItemSize, int Count) ParseHeader(string path, string header)
    {
        var dict = header.Trim();
        if (!dict.StartsWith('{') || !dict.EndsWith('}')) throw Error(path, $"has a header that is not a dict: {Quote(dict)}");

        var descr = DescrPattern().Match(dict);
        if (!descr.Success) throw Error(path, $"has no 'descr' string in its header (structured dtypes are not supported): {Quote(dict)}");
        var itemSize = descr.Groups["value"].Value switch
        {
            "<f4" => 4,
            "<f8" => 8,
            var other => throw Error(path, $"has dtype '{other}'; only '<f4' and '<f8' are supported"),
        };

        var fortran = FortranPattern().Match(dict);
        if (!fortran.Success) throw Error(path, $"has no 'fortran_order' in its header: {Quote(dict)}");
        if (fortran.Groups["value"].Value == "True") throw Error(path, "is in Fortran (column-major) order; only C order is supported");

        var shapeMatch = ShapePattern().Match(dict);
        if (!shapeMatch.Success) throw Error(path, $"has no 'shape' tuple in its header: {Quote(dict)}");
        var dims = shapeMatch.Groups["value"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new long[dims.Length];
        long count = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (!long.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                throw Error(path, $"has a malformed shape ({shapeMatch.Groups["value"].Value})");
            }
            // Keeps the product, and so the allocation, within an array's limit whatever the header says.
            if (shape[i] != 0 && count > Array.MaxLength / itemSize / shape[i])
            {
                throw Error(path, $"has shape ({shapeMatch.Groups["value"].Value}), too large to read into one array");
            }
            count *= shape[i];
        }
        return (shape, itemSize, (int)count);
    }

    private static void ReadDoubles(Stream stream, float[] data)
    {
        // A bounded buffer instead of a double[] the size of the array.
        var buffer = new double[Math.Min(data.Length, 8192)];
        for (var done = 0; done < data.Length; done += buffer.Length)
        {
            var chunk = buffer.AsSpan(0, Math.Min(buffer.Length, data.Length - done));
            stream.ReadExactly(MemoryMarshal.AsBytes(chunk));
            for (var i = 0; i < chunk.Length; i++) data[done + i] = (float)chunk[i];
        }
    }

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

    /// <summary>A shape as Python writes a tuple: (), (5,), (2, 3).</summary>
    private static string Tuple(long[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    private static string Quote(string text) => text.Length <= 200 ? text : text[..200] + "...";

    private static FormatException Error(string path, string reason) => new($"{path} {reason}");

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""](?<value>[^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(?<value>True|False)\b")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\((?<value>[^)]*)\)")]
    private static partial Regex ShapePattern();
}
