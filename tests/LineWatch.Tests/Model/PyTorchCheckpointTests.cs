using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LineWatch.Model.Checkpoints;

namespace LineWatch.Tests.Model;

/// <summary>
/// Against checkpoints torch itself wrote (tests/fixtures/checkpoints/make_checkpoints.py) and damaged copies of them.
/// </summary>
public class PyTorchCheckpointTests
{
    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Fixtures.Checkpoint("expected.json"))).RootElement;

    [Theory]
    [InlineData("flat.pth")]
    [InlineData("model_wrapped.pth")]
    [InlineData("ddp_module.pth")]
    [InlineData("state_dict_protocol4.pth")]
    [InlineData("dtypes_views.pth")]
    [InlineData("parameters.pth")]
    public void Reads_every_tensor_with_the_values_torch_saved(string file)
    {
        var tensors = PyTorchCheckpoint.ReadStateDict(Fixtures.Checkpoint(file));

        var expected = Expected.GetProperty(file).EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.GetProperty("name").GetString()!), tensors.Keys);
        foreach (var entry in expected)
        {
            var name = entry.GetProperty("name").GetString()!;
            var tensor = tensors[name];
            Assert.Equal(name, tensor.Name);
            Assert.Equal(entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), tensor.Shape);
            // Compared bit for bit, so rounding, subnormals and -0.0 all count.
            var values = entry.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble());
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), tensor.Data.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Training_checkpoints_give_the_model_weights_without_ddp_prefixes_or_optimizer_state()
    {
        var flat = PyTorchCheckpoint.ReadStateDict(Fixtures.Checkpoint("flat.pth"));
        var ddp = PyTorchCheckpoint.ReadStateDict(Fixtures.Checkpoint("ddp_module.pth"));
        var wrapped = PyTorchCheckpoint.ReadStateDict(Fixtures.Checkpoint("model_wrapped.pth"));

        Assert.Equal(flat.Keys, ddp.Keys);
        Assert.Equal(flat.Keys, wrapped.Keys);
        Assert.Equal(flat["patch.weight"].Data, ddp["patch.weight"].Data);
        Assert.Equal([4L, 3, 1, 2, 2], flat["patch.weight"].Shape);
        var counter = flat["bn.num_batches_tracked"];
        Assert.Empty(counter.Shape);
        Assert.Equal([1f], counter.Data);
    }

    [Fact]
    public void Views_follow_their_strides_and_offsets_into_shared_storage()
    {
        var tensors = PyTorchCheckpoint.ReadStateDict(Fixtures.Checkpoint("dtypes_views.pth"));

        // transposed = (arange(12) / 8).reshape(3, 4).t(), so row r holds r/8, (r+4)/8, (r+8)/8.
        Assert.Equal([4L, 3], tensors["transposed"].Shape);
        Assert.Equal([0.125f, 0.625f, 1.125f], tensors["transposed"].Data[3..6]);
        // shared_a ends with the element shared_b starts with: both are views of one linspace storage.
        Assert.Equal(tensors["shared_a"].Data[^1], tensors["shared_b"].Data[0]);
        Assert.Equal([2L, 3], tensors["shared_b"].Shape);
        Assert.Empty(tensors["scalar"].Shape);
        Assert.Equal([3.5f], tensors["scalar"].Data);
        Assert.Equal([0L, 3], tensors["empty"].Shape);
        Assert.Empty(tensors["empty"].Data);
    }

    [Fact]
    public void A_text_file_an_empty_file_and_a_legacy_checkpoint_are_not_zip_checkpoints()
    {
        using var folder = new TempFolder();
        var text = folder.File("notes.pth");
        File.WriteAllText(text, "these are not weights\n");
        var empty = folder.File("empty.pth");
        File.WriteAllBytes(empty, []);

        foreach (var path in new[] { text, empty, Fixtures.Checkpoint("legacy.pth") })
        {
            var error = Refused(path);
            Assert.Contains("not a zip archive; legacy non-zip torch.save files are not supported", error.Message);
        }
    }

    [Fact]
    public void A_checkpoint_cut_short_anywhere_is_refused()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Fixtures.Checkpoint("flat.pth"));
        var path = folder.File("cut.pth");
        for (var length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Refused(path);
            if (length >= 2) Assert.Contains("truncated or corrupt zip archive", error.Message);
        }
    }

    [Fact]
    public void Damaged_bytes_anywhere_in_the_file_give_a_format_error_or_the_tensors()
    {
        using var folder = new TempFolder();
        var original = File.ReadAllBytes(Fixtures.Checkpoint("dtypes_views.pth"));
        var path = folder.File("damaged.pth");
        var random = new Random(1234);
        for (var i = 0; i < original.Length; i++)
        {
            var bytes = (byte[])original.Clone();
            bytes[i] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(path, bytes);
            ReadsOrRefuses(path, $"byte {i} of the file damaged");
        }
    }

    [Fact]
    public void Damaged_pickles_give_a_format_error_or_the_tensors()
    {
        // The zip stays valid (fresh CRCs), so every damaged byte reaches the unpickler.
        using var folder = new TempFolder();
        var entries = Entries(Fixtures.Checkpoint("ddp_module.pth"));
        var pickle = entries["ddp_module/data.pkl"];
        var path = folder.File("damaged.pth");
        var random = new Random(99);
        for (var i = 0; i < pickle.Length; i++)
        {
            foreach (var value in new[] { (byte)0x00, (byte)0xff, (byte)random.Next(256) })
            {
                var damaged = (byte[])pickle.Clone();
                damaged[i] = value;
                WriteZip(path, entries.Append(KeyValuePair.Create("ddp_module/data.pkl", damaged)));
                ReadsOrRefuses(path, $"pickle byte {i} set to 0x{value:x2}");
            }
        }
        for (var length = 0; length < pickle.Length; length++)
        {
            WriteZip(path, entries.Append(KeyValuePair.Create("ddp_module/data.pkl", pickle[..length])));
            Assert.Contains("ddp_module/data.pkl", Refused(path).Message);
        }
    }

    [Fact]
    public void A_zip_without_data_pkl_names_what_it_holds()
    {
        using var folder = new TempFolder();
        var path = folder.File("arrays.pth");
        WriteZip(path, [KeyValuePair.Create("weights/data/0", new byte[16])]);

        var error = Refused(path);
        Assert.Contains("no <prefix>/data.pkl", error.Message);
        Assert.Contains("weights/data/0", error.Message);
    }

    [Fact]
    public void A_missing_storage_is_named()
    {
        using var folder = new TempFolder();
        var path = folder.File("missing.pth");
        var entries = Entries(Fixtures.Checkpoint("flat.pth"));
        entries.Remove("flat/data/0");
        WriteZip(path, entries);

        var error = Refused(path);
        Assert.Contains("storage 'flat/data/0' of tensor 'patch.weight' is missing", error.Message);
    }

    [Fact]
    public void A_storage_too_short_for_its_tensor_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("short.pth");
        var entries = Entries(Fixtures.Checkpoint("flat.pth"));
        entries["flat/data/0"] = entries["flat/data/0"][..100];
        WriteZip(path, entries);

        var error = Refused(path);
        Assert.Contains("storage 'flat/data/0' holds 25 elements but tensor 'patch.weight' (shape [4, 3, 1, 2, 2]", error.Message);
        Assert.Contains("needs 48", error.Message);
    }

    [Fact]
    public void An_unsupported_opcode_is_named_with_its_offset()
    {
        using var folder = new TempFolder();
        var path = folder.File("opcode.pth");
        WriteZip(path, [KeyValuePair.Create("x/data.pkl", new byte[] { 0x80, 0x02, (byte)'L', (byte)'1', (byte)'\n', (byte)'.' })]);

        var error = Refused(path);
        Assert.Contains("x/data.pkl: unsupported pickle opcode 0x4c ('L') at byte 2", error.Message);
    }

    [Fact]
    public void A_checkpoint_without_a_state_dict_lists_its_top_level_keys()
    {
        var error = Refused(Fixtures.Checkpoint("no_state_dict.pth"));
        Assert.Contains("no state dict of tensors at the top level or under 'model', 'module', 'state_dict'", error.Message);
        Assert.Contains("keys epoch (an int), note (a str)", error.Message);
    }

    [Fact]
    public void A_tensor_that_does_not_convert_to_float_is_named()
    {
        var error = Refused(Fixtures.Checkpoint("complex.pth"));
        Assert.Contains("tensor 'phase' has a torch.ComplexFloatStorage", error.Message);
    }

    [Fact]
    public void A_tensor_kind_the_reader_does_not_know_is_named()
    {
        using var folder = new TempFolder();
        var path = folder.File("quantized.pth");
        // {'w': torch._utils._rebuild_qtensor()}: the reduce stands in for a quantized tensor.
        byte[] pickle = [0x80, 0x02, (byte)'}', (byte)'(', 0x8c, 1, (byte)'w', .. Encoding.ASCII.GetBytes("ctorch._utils\n_rebuild_qtensor\n)Ru.")];
        WriteZip(path, [KeyValuePair.Create("archive/data.pkl", pickle)]);

        Assert.Contains("tensor 'w' is stored with torch._utils._rebuild_qtensor, which this reader does not support", Refused(path).Message);
    }

    [Fact]
    public void Big_endian_storages_are_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("big.pth");
        var entries = Entries(Fixtures.Checkpoint("flat.pth"));
        entries["flat/byteorder"] = Encoding.ASCII.GetBytes("big");
        WriteZip(path, entries);

        Assert.Contains("'big'-endian", Refused(path).Message);
    }

    // A zip header may declare any uncompressed size, and a stride of 0 makes a long tensor out of one element: neither
    // may size an allocation. Every size is bounded by the bytes the file actually holds.
    [Theory]
    [InlineData(500_000_000L, 0L, false)]
    [InlineData(500_000_000L, 0L, true)]
    [InlineData(400_000_000L, 1L, false)]
    [InlineData(400_000_000L, 1L, true)]
    public void A_few_kilobyte_checkpoint_that_declares_a_huge_storage_is_refused_without_allocating_it(long size, long stride, bool deflate)
    {
        using var folder = new TempFolder();
        var path = folder.File("amplified.pth");
        WriteZip(path, [KeyValuePair.Create("archive/data.pkl", TensorPickle(size, stride)), KeyValuePair.Create("archive/data/0", new byte[16])],
            deflate ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        DeclareUncompressedSize(path, "archive/data/0", 0x7FFF_FFF0);
        Assert.True(new FileInfo(path).Length < 4096);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Refused(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("storage 'archive/data/0' holds 4 elements but tensor 'w'", error.Message);
        Assert.True(allocated < 16 << 20, $"reading a {new FileInfo(path).Length}-byte checkpoint allocated {allocated:N0} bytes");
    }

    /// <summary>data.pkl of {'w': a float tensor of shape (size,) and the given stride over storage '0'}, as torch.save pickles it (protocol 2).</summary>
    private static byte[] TensorPickle(long size, long stride)
    {
        var pickle = new List<byte> { 0x80, 0x02 };
        void Text(string text) => pickle.AddRange(Encoding.ASCII.GetBytes(text));
        void Str(string text)
        {
            pickle.Add((byte)'X');
            pickle.AddRange(BitConverter.GetBytes(text.Length));
            Text(text);
        }
        void Int(long value)
        {
            pickle.Add((byte)'J');
            pickle.AddRange(BitConverter.GetBytes(checked((int)value)));
        }
        Text("ccollections\nOrderedDict\n)R(");
        Str("w");
        Text("ctorch._utils\n_rebuild_tensor_v2\n(");
        Text("(");
        Str("storage");
        Text("ctorch\nFloatStorage\n");
        Str("0");
        Str("cpu");
        Int(4);
        Text("tQ");
        Int(0);
        Text("(");
        Int(size);
        Text("t(");
        Int(stride);
        Text("t");
        pickle.Add(0x89); // NEWFALSE: requires_grad
        Text("ccollections\nOrderedDict\n)RtRu.");
        return pickle.ToArray();
    }

    /// <summary>Rewrites the uncompressed size an entry's local header and central directory record declare.</summary>
    private static void DeclareUncompressedSize(string path, string entryName, uint size)
    {
        var bytes = File.ReadAllBytes(path);
        var name = Encoding.ASCII.GetBytes(entryName);
        var patched = 0;
        // Local header: signature PK\3\4, size at 22, name length at 26, name at 30. Central record: PK\1\2, size at 24, name at 46.
        foreach (var (signature, sizeAt, nameAt) in new[] { (0x04034b50u, 22, 30), (0x02014b50u, 24, 46) })
        {
            for (var i = 0; i + nameAt + name.Length <= bytes.Length; i++)
            {
                if (BitConverter.ToUInt32(bytes, i) != signature || !bytes.AsSpan(i + nameAt, name.Length).SequenceEqual(name)) continue;
                BitConverter.TryWriteBytes(bytes.AsSpan(i + sizeAt), size);
                patched++;
            }
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(path, bytes);
    }

    private static CheckpointFormatException Refused(string path)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Equal(path, error.File);
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    private static void ReadsOrRefuses(string path, string what)
    {
        try
        {
            PyTorchCheckpoint.ReadStateDict(path);
        }
        catch (CheckpointFormatException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped instead of CheckpointFormatException: {e}");
        }
    }

    private static Dictionary<string, byte[]> Entries(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        return archive.Entries.ToDictionary(entry => entry.FullName, entry =>
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            return bytes.ToArray();
        });
    }

    // Later entries of the same name replace earlier ones, so a test can swap one entry of a fixture.
    private static void WriteZip(string path, IEnumerable<KeyValuePair<string, byte[]>> entries, CompressionLevel level = CompressionLevel.NoCompression)
    {
        var byName = new Dictionary<string, byte[]>();
        foreach (var (name, bytes) in entries) byName[name] = bytes;
        File.Delete(path);
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in byName)
        {
            using var stream = archive.CreateEntry(name, level).Open();
            stream.Write(bytes);
        }
    }
}
