namespace LineWatch.Model.Checkpoints;

/// <summary>A class or function a pickle names (GLOBAL / STACK_GLOBAL). It is never imported or run.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => Module + "." + Name;
}

/// <summary>
/// An object of a class the reader does not interpret (argparse.Namespace, numpy arrays, whole nn.Modules): kept
/// as the class that made it, so training checkpoints load without the code that wrote them.
/// </summary>
internal sealed class PickleObject(PickleGlobal type)
{
    public PickleGlobal Type { get; } = type;
}

/// <summary>A Python dict (or OrderedDict) as unpickled, in insertion order.</summary>
internal sealed class PickleDict
{
    // Python allows None as a key; OrderedDictionary does not allow null.
    private static readonly object NoneKey = new();

    private readonly OrderedDictionary<object, object?> _items = new();

    public int Count => _items.Count;

    public IEnumerable<KeyValuePair<object?, object?>> Items =>
        _items.Select(item => new KeyValuePair<object?, object?>(item.Key == NoneKey ? null : item.Key, item.Value));

    public void Set(object? key, object? value) => _items[key ?? NoneKey] = value;

    public bool TryGet(string key, out object? value) => _items.TryGetValue(key, out value);
}
