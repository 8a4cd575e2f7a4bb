using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace LineWatch.Model.Checkpoints;

/// <summary>
/// A pickle virtual machine for what torch.save writes (protocols 2 to 5). It builds inert values and never
/// imports or runs anything: classes and functions arrive as <see cref="PickleGlobal"/>, and what REDUCE and NEWOBJ
/// make of them is decided by the caller's <c>call</c> function, as is what a persistent id stands for.
/// Values: None is null, bool, long (BigInteger past 64 bits), double, string, byte[], tuple is object?[],
/// list is List&lt;object?&gt;, dict is <see cref="PickleDict"/>, set and frozenset are HashSet&lt;object?&gt;.
/// Malformed input raises InvalidDataException naming the byte offset, never an exception from indexing.
/// </summary>
internal sealed class PickleReader(
    byte[] data,
    Func<object?, object?> persistentLoad,
    Func<PickleGlobal, object?[], object?> call)
{
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private int _opcodeStart;
    private Opcode _opcode;

    public object? Load()
    {
        while (true)
        {
            _opcodeStart = _position;
            if (_position == data.Length) throw new InvalidDataException($"the pickle ends at byte {_position} without a STOP opcode (truncated)");
            var opcode = _opcode = (Opcode)ReadByte();
            switch (opcode)
            {
                case Opcode.Proto:
                    ReadByte(); // every protocol's opcodes are handled alike; the opcodes themselves say what comes
                    break;
                case Opcode.Frame:
                    ReadUInt64(); // frames only let buffered readers prefetch; the whole pickle is in memory
                    break;
                case Opcode.Stop:
                    return Pop();
                case Opcode.Mark:
                    _marks.Push(_stack.Count);
                    break;
                case Opcode.Pop:
                    // As CPython: POP right after MARK discards the mark.
                    if (_marks.Count > 0 && _marks.Peek() == _stack.Count) _marks.Pop();
                    else Pop();
                    break;
                case Opcode.PopMark:
                    PopMarked();
                    break;
                case Opcode.Dup:
                    Push(Peek());
                    break;
                case Opcode.None:
                    Push(null);
                    break;
                case Opcode.NewTrue:
                    Push(true);
                    break;
                case Opcode.NewFalse:
                    Push(false);
                    break;
                case Opcode.Int:
                    Push(ParseIntLine(ReadLine()));
                    break;
                case Opcode.BinInt:
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
                    break;
                case Opcode.BinInt1:
                    Push((long)ReadByte());
                    break;
                case Opcode.BinInt2:
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2)));
                    break;
                case Opcode.Long1:
                    Push(TwosComplement(Take(ReadByte())));
                    break;
                case Opcode.Long4:
                    Push(TwosComplement(Take(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))));
                    break;
                case Opcode.BinFloat:
                    Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8)));
                    break;
                case Opcode.ShortBinUnicode:
                    Push(Encoding.UTF8.GetString(Take(ReadByte())));
                    break;
                case Opcode.BinUnicode:
                    Push(Encoding.UTF8.GetString(Take(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))));
                    break;
                case Opcode.BinUnicode8:
                    Push(Encoding.UTF8.GetString(Take(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))));
                    break;
                case Opcode.ShortBinString:
                    // Python 2 str; torch.load decodes these as UTF-8 too.
                    Push(Encoding.UTF8.GetString(Take(ReadByte())));
                    break;
                case Opcode.BinString:
                    Push(Encoding.UTF8.GetString(Take(ReadLength(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))));
                    break;
                case Opcode.ShortBinBytes:
                    Push(Take(ReadByte()).ToArray());
                    break;
                case Opcode.BinBytes:
                    Push(Take(ReadLength(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray());
                    break;
                case Opcode.BinBytes8:
                    Push(Take(ReadLength(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray());
                    break;
                case Opcode.EmptyTuple:
                    Push(Array.Empty<object?>());
                    break;
                case Opcode.Tuple:
                    Push(PopMarked());
                    break;
                case Opcode.Tuple1:
                    Push(PopTop(1));
                    break;
                case Opcode.Tuple2:
                    Push(PopTop(2));
                    break;
                case Opcode.Tuple3:
                    Push(PopTop(3));
                    break;
                case Opcode.EmptyList:
                    Push(new List<object?>());
                    break;
                case Opcode.List:
                    Push(new List<object?>(PopMarked()));
                    break;
                case Opcode.Append:
                {
                    var item = Pop();
                    Extend(Peek(), [item]);
                    break;
                }
                case Opcode.Appends:
                {
                    var items = PopMarked();
                    Extend(Peek(), items);
                    break;
                }
                case Opcode.EmptyDict:
                    Push(new PickleDict());
                    break;
                case Opcode.Dict:
                {
                    var dict = new PickleDict();
                    SetItems(dict, PopMarked());
                    Push(dict);
                    break;
                }
                case Opcode.SetItem:
                {
                    var pair = PopTop(2);
                    SetItems(Peek(), pair);
                    break;
                }
                case Opcode.SetItems:
                {
                    var pairs = PopMarked();
                    SetItems(Peek(), pairs);
                    break;
                }
                case Opcode.EmptySet:
                    Push(new HashSet<object?>());
                    break;
                case Opcode.AddItems:
                {
                    var items = PopMarked();
                    AddToSet(Peek(), items);
                    break;
                }
                case Opcode.FrozenSet:
                    Push(new HashSet<object?>(PopMarked()));
                    break;
                case Opcode.Global:
                {
                    var module = ReadLine();
                    Push(new PickleGlobal(module, ReadLine()));
                    break;
                }
                case Opcode.StackGlobal:
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw Error("needs two strings");
                    Push(new PickleGlobal(m, n));
                    break;
                }
                case Opcode.Reduce:
                {
                    var args = PopArgs();
                    Push(Call(Pop(), args));
                    break;
                }
                case Opcode.NewObj:
                {
                    // cls.__new__(cls, *args): for the classes the caller interprets this is the same as calling them.
                    var args = PopArgs();
                    Push(Call(Pop(), args));
                    break;
                }
                case Opcode.NewObjEx:
                {
                    Pop(); // keyword arguments: no class the caller interprets takes any
                    var args = PopArgs();
                    Push(Call(Pop(), args));
                    break;
                }
                case Opcode.Build:
                    // BUILD sets an object's state (its __dict__ or __setstate__). Inert objects keep none, and the
                    // state of a dict or tensor is attributes (a state dict's _metadata), not values this reader returns.
                    Push(PopTop(2)[0]);
                    break;
                case Opcode.BinPersId:
                    Push(persistentLoad(Pop()));
                    break;
                case Opcode.BinPut:
                    _memo[ReadByte()] = Peek();
                    break;
                case Opcode.LongBinPut:
                    _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek();
                    break;
                case Opcode.Memoize:
                    _memo[_memo.Count] = Peek();
                    break;
                case Opcode.BinGet:
                    Push(Memo(ReadByte()));
                    break;
                case Opcode.LongBinGet:
                    Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))));
                    break;
                default:
                    var printable = opcode is >= (Opcode)0x20 and < (Opcode)0x7f ? $" ('{(char)opcode}')" : "";
                    throw new InvalidDataException($"unsupported pickle opcode 0x{(byte)opcode:x2}{printable} at byte {_opcodeStart}");
            }
        }
    }

    private object? Call(object? callable, object?[] args) => callable switch
    {
        PickleGlobal global => call(global, args),
        // Calling an object of an unknown class (a functools.partial, say) makes another unknown object.
        PickleObject unknown => new PickleObject(unknown.Type),
        _ => throw Error($"calls {Describe(callable)}, which is not a class or function"),
    };

    private object?[] PopArgs() => Pop() as object?[] ?? throw Error("needs a tuple of arguments");

    private void Extend(object? target, object?[] items)
    {
        switch (target)
        {
            case List<object?> list:
                list.AddRange(items);
                break;
            case PickleObject:
                break; // a list subclass of an unknown class: its items are as inert as it is
            default:
                throw Error($"appends to {Describe(target)}");
        }
    }

    private void SetItems(object? target, object?[] pairs)
    {
        if (pairs.Length % 2 != 0) throw Error("has a key without a value");
        switch (target)
        {
            case PickleDict dict:
                for (var i = 0; i < pairs.Length; i += 2) dict.Set(pairs[i], pairs[i + 1]);
                break;
            case PickleObject:
                break; // a dict subclass of an unknown class (defaultdict, say)
            default:
                throw Error($"sets items on {Describe(target)}");
        }
    }

    private void AddToSet(object? target, object?[] items)
    {
        if (target is not HashSet<object?> set) throw Error($"adds set items to {Describe(target)}");
        foreach (var item in items) set.Add(item);
    }

    private object? Memo(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Error($"refers to memo entry {index}, which was never stored");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() => _stack.Count > Floor ? _stack[^1] : throw Error("finds the stack empty");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopTop(int count)
    {
        if (_stack.Count - Floor < count) throw Error($"needs {count} items on the stack");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private object?[] PopMarked()
    {
        if (_marks.Count == 0) throw Error("needs a MARK and there is none");
        var mark = _marks.Pop();
        var items = _stack.GetRange(mark, _stack.Count - mark).ToArray();
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    // Items below the innermost mark belong to an enclosing opcode; only MARK-taking opcodes may consume them.
    private int Floor => _marks.Count > 0 ? _marks.Peek() : 0;

    private byte ReadByte() => Take(1)[0];

    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > data.Length - _position) throw Truncated();
        var span = data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private int ReadLength(long length) =>
        length >= 0 ? ReadLength((ulong)length) : throw Error($"declares {length} bytes (corrupt)");

    private int ReadLength(ulong length) =>
        length <= (ulong)(data.Length - _position)
            ? (int)length
            : throw Error($"declares {length} bytes where {data.Length - _position} remain (truncated or corrupt)");

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', _position);
        if (end < 0) throw Truncated();
        var line = Encoding.UTF8.GetString(data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private object ParseIntLine(string line) => line switch
    {
        // Protocol 0 and 1 spell booleans as INT 00 / 01.
        "00" => false,
        "01" => true,
        _ => BigInteger.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? Narrow(value)
            : throw Error($"has a malformed value '{line}'"),
    };

    private static object TwosComplement(ReadOnlySpan<byte> bytes) =>
        Narrow(new BigInteger(bytes, isUnsigned: false, isBigEndian: false));

    private static object Narrow(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        bool => "a bool",
        long or BigInteger => "an int",
        double => "a float",
        string => "a str",
        byte[] => "bytes",
        object?[] tuple => $"a tuple of {tuple.Length}",
        List<object?> list => $"a list of {list.Count}",
        PickleDict dict => $"a dict of {dict.Count}",
        HashSet<object?> => "a set",
        PickleGlobal global => global.ToString(),
        PickleObject unknown => $"a {unknown.Type} object",
        _ => value.ToString() ?? value.GetType().Name,
    };

    private InvalidDataException Truncated() =>
        new($"the pickle ends at byte {data.Length}, inside opcode {Name(_opcode)} at byte {_opcodeStart} (truncated or corrupt)");

    private InvalidDataException Error(string reason) => new($"pickle opcode {Name(_opcode)} at byte {_opcodeStart} {reason}");

    private static string Name(Opcode opcode) =>
        Enum.IsDefined(opcode) ? opcode.ToString().ToUpperInvariant() : $"0x{(byte)opcode:x2}";

    private enum Opcode : byte
    {
        Mark = (byte)'(',
        Stop = (byte)'.',
        Pop = (byte)'0',
        PopMark = (byte)'1',
        Dup = (byte)'2',
        BinFloat = (byte)'G',
        Int = (byte)'I',
        BinInt = (byte)'J',
        BinInt1 = (byte)'K',
        BinInt2 = (byte)'M',
        None = (byte)'N',
        BinPersId = (byte)'Q',
        Reduce = (byte)'R',
        BinString = (byte)'T',
        ShortBinString = (byte)'U',
        BinUnicode = (byte)'X',
        Append = (byte)'a',
        Build = (byte)'b',
        Global = (byte)'c',
        Dict = (byte)'d',
        EmptyDict = (byte)'}',
        Appends = (byte)'e',
        BinGet = (byte)'h',
        LongBinGet = (byte)'j',
        List = (byte)'l',
        EmptyList = (byte)']',
        BinPut = (byte)'q',
        LongBinPut = (byte)'r',
        SetItem = (byte)'s',
        Tuple = (byte)'t',
        EmptyTuple = (byte)')',
        SetItems = (byte)'u',
        Proto = 0x80,
        NewObj = 0x81,
        Tuple1 = 0x85,
        Tuple2 = 0x86,
        Tuple3 = 0x87,
        NewTrue = 0x88,
        NewFalse = 0x89,
        Long1 = 0x8a,
        Long4 = 0x8b,
        BinBytes = (byte)'B',
        ShortBinBytes = (byte)'C',
        ShortBinUnicode = 0x8c,
        BinUnicode8 = 0x8d,
        BinBytes8 = 0x8e,
        EmptySet = 0x8f,
        AddItems = 0x90,
        FrozenSet = 0x91,
        NewObjEx = 0x92,
        StackGlobal = 0x93,
        Memoize = 0x94,
        Frame = 0x95,
    }
}
