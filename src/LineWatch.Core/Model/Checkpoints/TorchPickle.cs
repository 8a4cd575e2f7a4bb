namespace LineWatch.Model.Checkpoints;

/// <summary>
/// Unpickles a checkpoint's data.pkl as torch.load would, without running anything: storages become
/// <see cref="TorchStorageRef"/>, tensors <see cref="TorchTensorRef"/>, OrderedDicts <see cref="PickleDict"/>,
/// and every other class an inert <see cref="PickleObject"/>.
/// </summary>
internal static class TorchPickle
{
    private const string Utils = "torch._utils";

    public static object? Load(byte[] pickle) => new PickleReader(pickle, PersistentLoad, Call).Load();

    // torch.save's persistent id for a storage: ('storage', storage class, key, device, element count).
    private static object PersistentLoad(object? id) => id switch
    {
        object?[] { Length: 5 } t when t[0] is "storage" && t[1] is PickleGlobal storageClass && t[2] is string key =>
            new TorchStorageRef(key, storageClass),
        _ => throw new InvalidDataException($"unsupported persistent id {PickleReader.Describe(id)} (torch.save writes ('storage', ...) tuples)"),
    };

    private static object? Call(PickleGlobal callable, object?[] args) => (callable.Module, callable.Name) switch
    {
        // OrderedDict.__reduce__ always passes no arguments; the items follow as SETITEMS.
        ("collections", "OrderedDict") when args.Length == 0 => new PickleDict(),
        // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
        (Utils, "_rebuild_tensor" or "_rebuild_tensor_v2") => Tensor(callable, args),
        // An nn.Parameter is its data tensor plus autograd flags.
        (Utils, "_rebuild_parameter" or "_rebuild_parameter_with_state") when args.Length >= 1 => args[0],
        // Tensor subclasses and tensors with Python state: (rebuild function, subclass, its arguments, state). Only
        // torch._utils functions are followed, so a crafted file cannot nest these calls deeper than one level.
        ("torch._tensor", "_rebuild_from_type_v2") when args is [PickleGlobal { Module: Utils } inner, _, object?[] innerArgs, ..] =>
            Call(inner, innerArgs),
        _ => new PickleObject(callable),
    };

    private static TorchTensorRef Tensor(PickleGlobal callable, object?[] args)
    {
        if (args.Length < 4
            || args[0] is not TorchStorageRef storage
            || args[1] is not long offset || offset < 0
            || Longs(args[2]) is not { } shape || shape.Any(size => size < 0)
            || Longs(args[3]) is not { } strides || strides.Any(stride => stride < 0)
            || strides.Length != shape.Length)
        {
            throw new InvalidDataException(
                $"{callable} has malformed arguments ({string.Join(", ", args.Select(PickleReader.Describe))})");
        }
        return new TorchTensorRef(storage, offset, shape, strides);
    }

    private static long[]? Longs(object? tuple) =>
        tuple is object?[] items && items.All(item => item is long) ? items.Select(item => (long)item!).ToArray() : null;
}
