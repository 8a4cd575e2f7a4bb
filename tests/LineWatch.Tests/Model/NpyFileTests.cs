using System.Text;
using LineWatch.Model.Numpy;

namespace LineWatch.Tests.Model;

/// <summary>Against files numpy wrote (tests/fixtures/npy/make_npy.py) and against its own output.</summary>
public class NpyFileTests
{
    private static readonly float[] F4Values = [-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f];

    [Theory]
    [InlineData("f4_2x3_v1.npy")]
    [InlineData("f4_2x3_v2.npy")]
    [InlineData("f4_2x3_v3.npy")]
    public void Reads_float32_arrays_numpy_wrote_in_every_format_version(string file)
    {
        var (shape, data) = NpyFile.Read(Fixtures.Npy(file));
        Assert.Equal([2L, 3], shape);
        Assert.Equal(F4Values, data);
    }

    [Fact]
    public void Reads_float64_arrays_rounded_to_float32()
    {
        var (shape, data) = NpyFile.Read(Fixtures.Npy("f8_2x3x4_v1.npy"));
        Assert.Equal([2L, 3, 4], shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)(i / 10.0)), data);
    }

    [Fact]
    public void Reads_a_0d_array()
    {
        var (shape, data) = NpyFile.Read(Fixtures.Npy("f4_scalar.npy"));
        Assert.Empty(shape);
        Assert.Equal([2.5f], data);
    }

    [Fact]
    public void Writes_byte_for_byte_what_numpy_writes()
    {
        using var folder = new TempFolder();
        var path = folder.File("ours.npy");
        NpyFile.Write(path, F4Values, [2, 3]);

        Assert.Equal(File.ReadAllBytes(Fixtures.Npy("f4_2x3_v1.npy")), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Theory]
    [InlineData(new long[0], 1)]
    [InlineData(new long[] { 0 }, 0)]
    [InlineData(new long[] { 5 }, 5)]
    [InlineData(new long[] { 2, 0, 3 }, 0)]
    [InlineData(new long[] { 2, 3, 4, 5 }, 120)]
    public void Round_trips_any_shape_with_the_data_64_byte_aligned(long[] shape, int count)
    {
        using var folder = new TempFolder();
        var path = folder.File("a.npy");
        var values = Enumerable.Range(0, count).Select(i => i * 0.37f - 3).ToArray();
        NpyFile.Write(path, values, shape);

        var (readShape, data) = NpyFile.Read(path);
        Assert.Equal(shape, readShape);
        Assert.Equal(values, data);
        Assert.Equal(0, (new FileInfo(path).Length - count * sizeof(float)) % 64);
    }

    [Fact]
    public void Write_refuses_a_shape_that_does_not_match_the_data()
    {
        using var folder = new TempFolder();
        Assert.Throws<ArgumentException>(() => NpyFile.Write(folder.File("a.npy"), new float[5], [2, 3]));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(folder.File("a.npy"), new float[0], [-1]));
        Assert.False(File.Exists(folder.File("a.npy")));
    }

    [Fact]
    public void Fortran_order_and_other_dtypes_are_refused_by_name()
    {
        var fortran = Fixtures.Npy("f4_fortran.npy");
        var error = Assert.Throws<FormatException>(() => NpyFile.Read(fortran));
        Assert.Equal($"{fortran} is in Fortran (column-major) order; only C order is supported", error.Message);

        var ints = Fixtures.Npy("i4_2x3.npy");
        error = Assert.Throws<FormatException>(() => NpyFile.Read(ints));
        Assert.Equal($"{ints} has dtype '<i4'; only '<f4' and '<f8' are supported", error.Message);
    }

    [Fact]
    public void A_file_without_the_magic_is_not_npy()
    {
        using var folder = new TempFolder();
        var path = folder.File("text.npy");
        File.WriteAllText(path, "1.0 2.0 3.0\n");
        var error = Assert.Throws<FormatException>(() => NpyFile.Read(path));
        Assert.StartsWith($"{path} is not a .npy file", error.Message);
    }

    [Fact]
    public void A_file_cut_short_anywhere_is_refused()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Fixtures.Npy("f8_2x3x4_v1.npy"));
        var path = folder.File("cut.npy");
        for (var length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<FormatException>(() => NpyFile.Read(path));
            Assert.StartsWith(path + " ", error.Message);
        }
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", "has a malformed shape (2, x)")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "has no 'shape' tuple")]
    [InlineData("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured dtypes are not supported")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "has dtype '>f4'")]
    [InlineData("'descr': '<f4'", "has a header that is not a dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "too large to read into one array")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }", "is truncated: shape (1000,) needs 4000 bytes of data and 8 follow the header")]
    public void Malformed_headers_are_refused_with_the_reason(string header, string reason)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.npy");
        var text = Encoding.Latin1.GetBytes(header + "\n");
        using (var stream = File.Create(path))
        {
            stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)text.Length, 0]);
            stream.Write(text);
            stream.Write(new byte[8]);
        }
        var error = Assert.Throws<FormatException>(() => NpyFile.Read(path));
        Assert.StartsWith(path + " ", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void An_unknown_format_version_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("v4.npy");
        File.WriteAllBytes(path, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 4, 0, 0, 0]);
        var error = Assert.Throws<FormatException>(() => NpyFile.Read(path));
        Assert.Contains("has .npy format version 4.0; versions 1.0, 2.0 and 3.0 are supported", error.Message);
    }
}
