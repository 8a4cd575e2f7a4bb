using System.IO.Compression;
using System.Text;

namespace LineWatch.Model.Checkpoints;

/// <summary>
/// Reads the weights of a PyTorch checkpoint written by torch.save (1.6 or later: a zip archive holding
/// &lt;prefix&gt;/data.pkl and the raw storages under &lt;prefix&gt;/data/), without Python. The state dict may be the
/// whole file (official K400/SSv2 weights) or sit under "model", "module" or "state_dict" (official in1k weights,
/// training checkpoints); DDP's "module." prefix is removed and every tensor is converted to float32.
/// </summary>
public static class PyTorchCheckpoint
{
    private const string DdpPrefix = "module.";
    private const string PickleName = "data.pkl";
    private static readonly string[] StateDictKeys = ["model", "module", "state_dict"];

    // Deflate cannot expand data more than about 1032 times (a 258-byte match per two bits), so no more is believed of a header.
    private const long MaxDeflateRatio = 1032;

    /// <summary>
    /// The state dict, in file order. A file that is not such a checkpoint, is damaged or holds no state dict raises
    /// <see cref="CheckpointFormatException"/>; a missing or unreadable file raises the usual IO exceptions.
    /// </summary>
    public static IReadOnlyDictionary<string, CheckpointTensor> ReadStateDict(string path)
    {
        using var file = File.OpenRead(path);
        if (!StartsWithZipSignature(file))
        {
            throw new CheckpointFormatException(path,
                "not a PyTorch checkpoint (not a zip archive; legacy non-zip torch.save files are not supported)");
        }
        try
        {
            using var archive = Zip(() => new ZipArchive(file, ZipArchiveMode.Read));
            return Read(archive);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
    }

    private static bool StartsWithZipSignature(FileStream file)
    {
        Span<byte> signature = stackalloc byte[2];
        var isZip = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false) == 2 && signature.SequenceEqual("PK"u8);
        file.Position = 0;
        return isZip;
    }

    private static OrderedDictionary<string, CheckpointTensor> Read(ZipArchive archive)
    {
        var pickle = FindPickle(Zip(() => archive.Entries));
        var prefix = pickle.FullName[..^PickleName.Length];
        CheckByteOrder(archive, prefix);
        object? root;
        try
        {
            root = TorchPickle.Load(ReadEntry(pickle));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{pickle.FullName}: {e.Message}", e);
        }
        var entries = FindStateDict(root);
        if (entries.All(entry => entry.Key.StartsWith(DdpPrefix, StringComparison.Ordinal)))
        {
            entries = entries.Select(entry => KeyValuePair.Create(entry.Key[DdpPrefix.Length..], entry.Value)).ToList();
        }
        return Materialize(archive, prefix, entries);
    }

    private static ZipArchiveEntry FindPickle(IReadOnlyCollection<ZipArchiveEntry> entries)
    {
        // torch.save names the top folder after the file it writes ("archive" for a buffer, "flat" for flat.pth).
        var pickles = entries.Where(entry => entry.FullName.EndsWith("/" + PickleName, StringComparison.Ordinal)).ToList();
        return pickles.Count switch
        {
            1 => pickles[0],
            0 => throw new InvalidDataException(
                $"no <prefix>/{PickleName} in the zip archive, so torch.save did not write it (entries: {Sample(entries.Select(e => e.FullName))})"),
            _ => throw new InvalidDataException(
                $"several {PickleName} in the zip archive ({Sample(pickles.Select(e => e.FullName))}); a torch.save file has one"),
        };
    }

    // torch >= 2.1 records the byte order it wrote storages in; files without the record are little-endian.
    private static void CheckByteOrder(ZipArchive archive, string prefix)
    {
        var entry = archive.GetEntry(prefix + "byteorder");
        if (entry is null) return;
        var order = Encoding.ASCII.GetString(ReadEntry(entry)).Trim();
        if (order != "little") throw new InvalidDataException($"its storages are stored '{order}'-endian; only little-endian is supported");
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry) => Zip(() =>
    {
        // Grown as bytes arrive rather than sized by the header, which a damaged archive may overstate.
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    /// <summary>
    /// Up to <paramref name="limit"/> bytes of an entry: as many as it really holds. The uncompressed size in the zip
    /// header is only a claim (a few-KB file may declare gigabytes), so it sizes the first buffer only as far as the
    /// entry's compressed bytes can inflate, and the buffer grows as bytes arrive.
    /// </summary>
    private static byte[] ReadAtMost(ZipArchiveEntry entry, int limit) => Zip(() =>
    {
        var plausible = Math.Min(entry.Length, entry.CompressedLength * MaxDeflateRatio);
        var buffer = new byte[(int)Math.Clamp(plausible, 0, limit)];
        var filled = 0;
        using var stream = entry.Open();
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled == limit) break;
                Array.Resize(ref buffer, (int)Math.Min(limit, Math.Max(4096L, 2L * filled)));
            }
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0) break;
            filled += read;
        }
        return filled == buffer.Length ? buffer : buffer[..filled];
    });

    /// <summary>Runs a zip read, turning what .NET's zip reader throws for a damaged archive into one error that says so.</summary>
    private static T Zip<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            // IOException covers an entry that ends early; NotSupportedException a compression method .NET lacks.
            throw new InvalidDataException($"truncated or corrupt zip archive ({e.Message})", e);
        }
    }

    private static List<KeyValuePair<string, object?>> FindStateDict(object? root)
    {
        if (AsStateDict(root) is { } topLevel) return topLevel;
        if (root is PickleDict dict)
        {
            foreach (var key in StateDictKeys)
            {
                if (dict.TryGet(key, out var nested) && AsStateDict(nested) is { } stateDict) return stateDict;
            }
        }
        var where = string.Join(", ", StateDictKeys.Select(key => $"'{key}'"));
        var found = root is PickleDict top
            ? "keys " + Sample(top.Items.Select(item => $"{item.Key as string ?? PickleReader.Describe(item.Key)} ({PickleReader.Describe(item.Value)})"))
            : PickleReader.Describe(root);
        throw new InvalidDataException($"no state dict of tensors at the top level or under {where}; the top level holds {found}");
    }

    /// <summary>The entries of a dict mapping names to tensors, or null if <paramref name="value"/> is not one.</summary>
    private static List<KeyValuePair<string, object?>>? AsStateDict(object? value)
    {
        if (value is not PickleDict { Count: > 0 } dict) return null;
        var entries = new List<KeyValuePair<string, object?>>(dict.Count);
        foreach (var (key, item) in dict.Items)
        {
            // Tensors this reader cannot convert (quantized, sparse...) still mark a state dict, so they are reported by name.
            if (key is not string name || item is not (TorchTensorRef or PickleObject { Type.Module: "torch._utils" })) return null;
            entries.Add(new KeyValuePair<string, object?>(name, item));
        }
        return entries;
    }

    private static OrderedDictionary<string, CheckpointTensor> Materialize(
        ZipArchive archive, string prefix, List<KeyValuePair<string, object?>> entries)
    {
        var views = new List<(string Name, TorchTensorRef Tensor)>(entries.Count);
        foreach (var (name, value) in entries)
        {
            if (value is not TorchTensorRef tensor)
            {
                var kind = ((PickleObject)value!).Type;
                throw new InvalidDataException($"tensor '{name}' is stored with {kind}, which this reader does not support");
            }
            views.Add((name, tensor));
        }
        var data = new Dictionary<string, float[]>(StringComparer.Ordinal);
        // Tensors sharing a storage (views, tied weights) are cut from one read of it.
        foreach (var storage in views.GroupBy(view => view.Tensor.Storage.Key, StringComparer.Ordinal))
        {
            ReadStorage(archive, prefix + "data/" + storage.Key, storage.ToList(), data);
        }
        var result = new OrderedDictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in views) result.Add(name, new CheckpointTensor(name, tensor.Shape, data[name]));
        return result;
    }

    private static void ReadStorage(
        ZipArchive archive, string entryName, List<(string Name, TorchTensorRef Tensor)> views, Dictionary<string, float[]> data)
    {
        var first = views[0];
        var entry = archive.GetEntry(entryName)
            ?? throw new InvalidDataException($"storage '{entryName}' of tensor '{first.Name}' is missing from the zip archive");
        var storageClass = first.Tensor.Storage.StorageClass;
        var type = TorchElementTypes.FromStorageClass(storageClass)
            ?? throw new InvalidDataException($"tensor '{first.Name}' has a {storageClass}, which does not convert to float32");
        // How far into the storage the views reach: the elements they read, and as many as they hold, because a stride
        // of 0 makes a long tensor out of one element and the tensor's array is sized by its element count.
        long reach = 0;
        foreach (var (name, tensor) in views)
        {
            try
            {
                reach = Math.Max(reach, Math.Max(tensor.Extent(), tensor.ElementCount()));
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"tensor '{name}': {e.Message}", e);
            }
        }
        if (reach > Array.MaxLength / type.Size())
        {
            throw new InvalidDataException($"storage '{entryName}' is larger than this reader can hold ({reach} elements)");
        }
        var bytes = ReadAtMost(entry, (int)(reach * type.Size()));
        var available = bytes.Length / type.Size();
        foreach (var (name, tensor) in views)
        {
            if (tensor.Extent() > available || tensor.ElementCount() > available)
            {
                throw new InvalidDataException(
                    $"storage '{entryName}' holds {available} elements but tensor '{name}' (shape {TorchTensorRef.Format(tensor.Shape)}, " +
                    $"strides {TorchTensorRef.Format(tensor.Strides)}, offset {tensor.Offset}) needs {Math.Max(tensor.Extent(), tensor.ElementCount())}");
            }
        }
        foreach (var (name, tensor) in views) data[name] = tensor.Gather(bytes, type);
    }

    private static string Sample(IEnumerable<string> names)
    {
        const int Shown = 12;
        var list = names.Take(Shown + 1).ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list.Take(Shown)) + (list.Count > Shown ? ", ..." : "");
    }
}
