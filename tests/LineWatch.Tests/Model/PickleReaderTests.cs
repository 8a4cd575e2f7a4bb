using System.Numerics;
using System.Text;
using LineWatch.Model.Checkpoints;

namespace LineWatch.Tests.Model;

/// <summary>
/// The opcodes torch's own files do not reach (the checkpoint fixtures cover the rest), written out byte by byte
/// as CPython's pickle module writes them.
/// </summary>
public class PickleReaderTests
{
    [Fact]
    public void Reads_numbers_in_every_encoding()
    {
        Assert.Equal(42L, Load(P('I', "42\n.")));
        Assert.Equal(true, Load(P('I', "01\n.")));
        Assert.Equal(-5L, Load(P('J', 0xfb, 0xff, 0xff, 0xff, '.')));
        Assert.Equal(0x1234L, Load(P('M', 0x34, 0x12, '.')));
        Assert.Equal(-1L, Load(P(0x8a, 1, 0xff, '.')));
        Assert.Equal(BigInteger.One << 64, Load(P(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, '.')));
        Assert.Equal(-32768L, Load(P(0x8b, 2, 0, 0, 0, 0x00, 0x80, '.')));
        Assert.Equal(0.1, Load(P('G', 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a, '.')));
        Assert.Equal(false, Load(P(0x89, '.')));
    }

    [Fact]
    public void Reads_strings_and_bytes_in_every_encoding()
    {
        Assert.Equal("é", Load(P('X', 2, 0, 0, 0, 0xc3, 0xa9, '.')));
        Assert.Equal("ab", Load(P(0x8c, 2, "ab.")));
        Assert.Equal("ab", Load(P(0x8d, 2, 0, 0, 0, 0, 0, 0, 0, "ab.")));
        Assert.Equal("py2", Load(P('T', 3, 0, 0, 0, "py2.")));
        Assert.Equal("py2", Load(P('U', 3, "py2.")));
        Assert.Equal(new byte[] { 1, 2 }, Load(P('B', 2, 0, 0, 0, 1, 2, '.')));
        Assert.Equal(new byte[] { 1, 2 }, Load(P('C', 2, 1, 2, '.')));
        Assert.Equal(new byte[] { 1, 2 }, Load(P(0x8e, 2, 0, 0, 0, 0, 0, 0, 0, 1, 2, '.')));
    }

    [Fact]
    public void Builds_lists_tuples_dicts_and_sets()
    {
        // [1, [2, 3, 4], (5, 6, 7), (8,), ()] through LIST, APPEND, APPENDS, TUPLE3, TUPLE1, EMPTY_TUPLE.
        var list = Assert.IsType<List<object?>>(Load(P('(', 'K', 1, 'l', ']', 'K', 2, 'a', '(', 'K', 3, 'K', 4, 'e', 'a',
            'K', 5, 'K', 6, 'K', 7, 0x87, 'a', 'K', 8, 0x85, 'a', ')', 'a', '.')));
        Assert.Equal(1L, list[0]);
        Assert.Equal(new object?[] { 2L, 3L, 4L }, Assert.IsType<List<object?>>(list[1]));
        Assert.Equal(new object?[] { 5L, 6L, 7L }, list[2]);
        Assert.Equal(new object?[] { 8L }, list[3]);
        Assert.Empty(Assert.IsType<object?[]>(list[4]));

        // {'a': 1, 'b': None} through DICT, then SETITEM 'c' = True on it.
        var dict = Assert.IsType<PickleDict>(Load(P('(', 0x8c, 1, 'a', 'K', 1, 0x8c, 1, 'b', 'N', 'd', 0x8c, 1, 'c', 0x88, 's', '.')));
        Assert.Equal(["a", "b", "c"], dict.Items.Select(item => item.Key));
        Assert.Equal(new object?[] { 1L, null, true }, dict.Items.Select(item => item.Value));

        var set = Assert.IsType<HashSet<object?>>(Load(P(0x8f, '(', 'K', 1, 'K', 2, 0x90, '.')));
        Assert.Equal([1L, 2L], set.Order());
        var frozen = Assert.IsType<HashSet<object?>>(Load(P('(', 'K', 3, 0x91, '.')));
        Assert.Equal([3L], frozen);
    }

    [Fact]
    public void Handles_the_stack_and_memo_opcodes()
    {
        // DUP, POP, and POP right after MARK dropping the mark: leaves (7, 7).
        Assert.Equal(new object?[] { 7L, 7L }, Load(P('K', 7, '2', 'K', 9, '0', '(', '0', 0x86, '.')));
        // POP_MARK discards everything down to the mark.
        Assert.Equal(1L, Load(P('K', 1, '(', 'K', 2, 'K', 3, '1', '.')));
        // LONG_BINPUT / LONG_BINGET, MEMOIZE / BINGET: both get the same object back.
        var pair = Assert.IsType<object?[]>(Load(P(']', 'r', 0, 1, 0, 0, 'j', 0, 1, 0, 0, 0x86, '.')));
        Assert.Same(pair[0], pair[1]);
        var memoized = Assert.IsType<object?[]>(Load(P(0x8c, 1, 'x', 0x94, 'h', 0, 0x86, '.')));
        Assert.Equal(new object?[] { "x", "x" }, memoized);
    }

    [Fact]
    public void Objects_of_unknown_classes_load_as_inert_placeholders()
    {
        // argparse.Namespace(lr=0.1) as protocol 2 writes it: GLOBAL, NEWOBJ, then BUILD with its __dict__.
        var ns = Assert.IsType<PickleObject>(Load(P('c', "argparse\nNamespace\n", ')', 0x81, '}', 0x8c, 2, "lr", 'K', 1, 's', 'b', '.')));
        Assert.Equal(new PickleGlobal("argparse", "Namespace"), ns.Type);

        // collections.defaultdict(list) with items: REDUCE via STACK_GLOBAL, then SETITEMS onto the placeholder.
        var defaultDict = Assert.IsType<PickleObject>(Load(P(0x8c, 11, "collections", 0x8c, 11, "defaultdict", 0x93,
            'c', "builtins\nlist\n", 0x85, 'R', '(', 'K', 1, ']', 'u', '.')));
        Assert.Equal("collections.defaultdict", defaultDict.Type.ToString());

        // NEWOBJ_EX with keyword arguments, and calling a placeholder (a functools.partial, say).
        var made = Assert.IsType<PickleObject>(Load(P('c', "m\nC\n", ')', '}', 0x92, ')', 'R', '.')));
        Assert.Equal("m.C", made.Type.ToString());
    }

    [Fact]
    public void Persistent_ids_and_calls_go_to_the_callers_functions()
    {
        var loaded = new PickleReader(P('(', 0x8c, 1, 'k', 't', 'Q', '.'), id => ("loaded", id), (_, _) => null).Load();
        var (tag, id) = Assert.IsType<(string, object?)>(loaded);
        Assert.Equal("loaded", tag);
        Assert.Equal(new object?[] { "k" }, id);

        var called = new PickleReader(P('c', "mod\nf\n", 'K', 2, 0x85, 'R', '.'), _ => null, (global, args) => $"{global}{args.Length}").Load();
        Assert.Equal("mod.f1", called);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, 0xff }, "unsupported pickle opcode 0xff at byte 2")]
    [InlineData(new byte[] { (byte)'L', (byte)'1', (byte)'\n', (byte)'.' }, "unsupported pickle opcode 0x4c ('L') at byte 0")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'K' }, "the pickle ends at byte 3, inside opcode BININT1 at byte 2")]
    [InlineData(new byte[] { (byte)'X', 0xff, 0xff, 0xff, 0x7f, (byte)'.' }, "pickle opcode BINUNICODE at byte 0 declares 2147483647 bytes where 1 remain")]
    [InlineData(new byte[] { (byte)'T', 0xff, 0xff, 0xff, 0xff, (byte)'.' }, "pickle opcode BINSTRING at byte 0 declares -1 bytes (corrupt)")]
    [InlineData(new byte[] { 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80, (byte)'.' }, "pickle opcode BINUNICODE8 at byte 0 declares 9223372036854775808 bytes where 1 remain")]
    [InlineData(new byte[] { (byte)'h', 3, (byte)'.' }, "pickle opcode BINGET at byte 0 refers to memo entry 3, which was never stored")]
    [InlineData(new byte[] { (byte)'.' }, "pickle opcode STOP at byte 0 finds the stack empty")]
    [InlineData(new byte[] { (byte)')', (byte)'K', 1, (byte)'a', (byte)'.' }, "pickle opcode APPEND at byte 3 appends to a tuple of 0")]
    [InlineData(new byte[] { (byte)']', (byte)'K', 1, (byte)'K', 2, (byte)'s', (byte)'.' }, "pickle opcode SETITEM at byte 5 sets items on a list of 0")]
    [InlineData(new byte[] { (byte)'(', (byte)'K', 1, (byte)'s', (byte)'.' }, "pickle opcode SETITEM at byte 3 needs 2 items on the stack")]
    [InlineData(new byte[] { (byte)'K', 1, (byte)'t', (byte)'.' }, "pickle opcode TUPLE at byte 2 needs a MARK and there is none")]
    [InlineData(new byte[] { (byte)'K', 1, (byte)')', (byte)'R', (byte)'.' }, "pickle opcode REDUCE at byte 3 calls an int, which is not a class or function")]
    [InlineData(new byte[] { (byte)'c', (byte)'m' }, "the pickle ends at byte 2, inside opcode GLOBAL at byte 0")]
    [InlineData(new byte[] { 0x80, 0x02, (byte)'N' }, "the pickle ends at byte 3 without a STOP opcode")]
    public void Malformed_pickles_are_reported_with_the_opcode_and_offset(byte[] pickle, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => Load(pickle));
        Assert.Contains(message, error.Message);
    }

    private static object? Load(byte[] pickle) =>
        new PickleReader(pickle, _ => throw new InvalidOperationException("no persistent ids here"), (global, _) => new PickleObject(global)).Load();

    /// <summary>Pickle bytes from chars (opcodes), ints (single bytes) and strings (their ASCII bytes).</summary>
    private static byte[] P(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            switch (part)
            {
                case char c:
                    bytes.Add((byte)c);
                    break;
                case int i:
                    bytes.Add((byte)i);
                    break;
                case string s:
                    bytes.AddRange(Encoding.ASCII.GetBytes(s));
                    break;
                default:
                    throw new ArgumentException($"unexpected part {part}", nameof(parts));
            }
        }
        return bytes.ToArray();
    }
}
