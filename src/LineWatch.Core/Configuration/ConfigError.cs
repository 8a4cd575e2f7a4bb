namespace LineWatch.Configuration;

/// <summary>One problem with the configuration: the key path it is about (e.g. Cameras:0:Source) and why.</summary>
public sealed record ConfigError(string Key, string Reason)
{
    public override string ToString() => $"{Key}: {Reason}";
}

/// <summary>The configuration cannot be used; every problem found is listed, each naming its key.</summary>
public sealed class ConfigurationException(string file, IReadOnlyList<ConfigError> errors)
    : Exception($"invalid configuration in {file}:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public string File { get; } = file;
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
