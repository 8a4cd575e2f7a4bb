using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace LineWatch.Configuration;

/// <summary>
/// Loads the agent's configuration: the JSON file, then LINEWATCH__* environment variables on top
/// (LINEWATCH__Mqtt__Host sets Mqtt:Host), then binds, resolves relative paths and validates. Every problem
/// comes back at once in a <see cref="ConfigurationException"/> that names the key path of each.
/// </summary>
public sealed partial class AgentConfiguration
{
    public const string EnvironmentPrefix = "LINEWATCH__";

    /// <summary>Sections that are not bound to <see cref="AgentOptions"/> but read by someone else.</summary>
    private static readonly string[] ForeignSections = ["Serilog", "$schema"];

    private AgentConfiguration(string filePath, IConfigurationRoot root, AgentOptions options, IReadOnlyList<CameraSource> sources)
    {
        FilePath = filePath;
        Root = root;
        Options = options;
        CameraSources = sources;
    }

    public string FilePath { get; }
    public IConfigurationRoot Root { get; }
    public AgentOptions Options { get; }

    /// <summary>The parsed Source of each camera, in the order of <see cref="AgentOptions.Cameras"/>.</summary>
    public IReadOnlyList<CameraSource> CameraSources { get; }

    /// <param name="environment">Variables to apply; null reads the process environment.</param>
    /// <param name="contents">The file's text to check before it is written (the dashboard's edits); null reads the file.
    /// Relative paths in it are still taken from <paramref name="path"/>'s folder.</param>
    public static AgentConfiguration Load(string path, IEnumerable<KeyValuePair<string, string?>>? environment = null, string? contents = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (contents is null && !File.Exists(fullPath))
        {
            throw new ConfigurationException(fullPath, [new ConfigError("(file)", "configuration file not found")]);
        }
        var bytes = contents is null ? File.ReadAllBytes(fullPath) : System.Text.Encoding.UTF8.GetBytes(contents);
        CheckJsonSyntax(fullPath, bytes);

        // From the bytes read once, so the syntax check and the values are of the same version of a file being edited.
        var root = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(bytes))
            .AddInMemoryCollection(EnvironmentOverrides(environment))
            .Build();

        var errors = new List<ConfigError>();
        CheckKnownKeys(root, typeof(AgentOptions), "", errors);
        var options = Bind(root, errors);
        if (options is null) throw new ConfigurationException(fullPath, errors);

        var baseDir = Path.GetDirectoryName(fullPath)!;
        ResolvePaths(options, baseDir);
        var sources = OptionsValidator.Validate(options, baseDir, errors);
        if (errors.Count > 0) throw new ConfigurationException(fullPath, errors);
        return new AgentConfiguration(fullPath, root, options, sources);
    }

    private static IEnumerable<KeyValuePair<string, string?>> EnvironmentOverrides(IEnumerable<KeyValuePair<string, string?>>? environment)
    {
        environment ??= Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, (string?)e.Value));
        foreach (var (key, value) in environment)
        {
            if (key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && key.Length > EnvironmentPrefix.Length)
            {
                yield return new(key[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter), value);
            }
        }
    }

    /// <summary>The configuration provider reports a syntax error without a position; this names line and column.</summary>
    private static void CheckJsonSyntax(string path, byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            var reason = e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            throw new ConfigurationException(path, [new ConfigError($"(file) line {line} column {column}", $"malformed JSON: {reason}")]);
        }
    }

    /// <summary>
    /// A misspelt key would otherwise be ignored silently and its default used. Inside a list entry the values are
    /// checked here too: the binder skips an entry with a value it cannot convert (a camera would vanish unannounced).
    /// </summary>
    private static void CheckKnownKeys(IConfiguration section, Type type, string path, List<ConfigError> errors, bool inList = false)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            var key = path.Length == 0 ? child.Key : path + ":" + child.Key;
            if (path.Length == 0 && ForeignSections.Contains(child.Key, StringComparer.OrdinalIgnoreCase)) continue;
            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add(new ConfigError(key, $"unknown setting; known here: {string.Join(", ", properties.Keys)}"));
                continue;
            }
            var propertyType = property.PropertyType;
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                var element = propertyType.GetGenericArguments()[0];
                foreach (var item in child.GetChildren())
                {
                    if (!int.TryParse(item.Key, out _)) errors.Add(new ConfigError(key + ":" + item.Key, "expected a list entry"));
                    else if (element.IsArray) CheckListEntries(item, element.GetElementType()!, key + ":" + item.Key, errors);
                    else if (IsSection(element)) CheckKnownKeys(item, element, key + ":" + item.Key, errors, inList: true);
                }
            }
            else if (IsSection(propertyType))
            {
                CheckKnownKeys(child, propertyType, key, errors, inList);
            }
            else if (inList && child.Value is { } value && Unconvertible(value, propertyType) is { } reason)
            {
                errors.Add(new ConfigError(key, reason));
            }
        }
    }

    /// <summary>A list of arrays (a region's points): each entry's children must be list indexes holding values of the element type.</summary>
    private static void CheckListEntries(IConfiguration entry, Type element, string path, List<ConfigError> errors)
    {
        foreach (var value in entry.GetChildren())
        {
            if (!int.TryParse(value.Key, out _)) errors.Add(new ConfigError(path + ":" + value.Key, "expected a list entry"));
            else if (value.Value is { } text && Unconvertible(text, element) is { } reason) errors.Add(new ConfigError(path + ":" + value.Key, reason));
        }
    }

    /// <summary>Why the binder cannot convert <paramref name="value"/> to <paramref name="type"/>, in the words <see cref="Bind"/> uses; null when it can.</summary>
    private static string? Unconvertible(string value, Type type)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var fits = type switch
        {
            _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _) && !value.Trim().All(c => char.IsDigit(c) || c == '-'),
            _ when type == typeof(double) => double.TryParse(value, System.Globalization.NumberStyles.Float, invariant, out _),
            _ when type == typeof(int) => int.TryParse(value, System.Globalization.NumberStyles.Integer, invariant, out _),
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ => true,
        };
        if (fits) return null;
        return type.IsEnum
            ? $"'{value}' is not one of {string.Join("|", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}"
            : $"'{value}' is not a valid {FriendlyTypeName(type.FullName!)}";
    }

    private static bool IsSection(Type type) => type.IsClass && type != typeof(string);

    private static AgentOptions? Bind(IConfiguration root, List<ConfigError> errors)
    {
        try
        {
            return root.Get<AgentOptions>() ?? new AgentOptions();
        }
        catch (InvalidOperationException e)
        {
            var match = ConversionFailure().Match(e.Message);
            if (!match.Success) throw;
            var key = match.Groups["key"].Value;
            var typeName = match.Groups["type"].Value;
            var enumType = typeof(AgentOptions).Assembly.GetType(typeName);
            var reason = enumType is { IsEnum: true }
                ? $"'{root[key]}' is not one of {string.Join("|", Enum.GetNames(enumType).Select(n => n.ToLowerInvariant()))}"
                : $"'{root[key]}' is not a valid {FriendlyTypeName(typeName)}";
            errors.Add(new ConfigError(key, reason));
            return null;
        }
    }

    private static string FriendlyTypeName(string typeName) => typeName switch
    {
        "System.Int32" => "whole number",
        "System.Double" => "number",
        "System.Boolean" => "boolean (true/false)",
        _ => typeName,
    };

    private static void ResolvePaths(AgentOptions options, string baseDir)
    {
        options.DataDir = Path.GetFullPath(options.DataDir, baseDir);
        if (options.Model.Path.Length > 0) options.Model.Path = Path.GetFullPath(options.Model.Path, baseDir);
        if (options.Model.CustomOpLibrary.Length > 0) options.Model.CustomOpLibrary = Path.GetFullPath(options.Model.CustomOpLibrary, baseDir);
        foreach (var tls in new[] { options.Mqtt.Tls, options.Mqtt.Uplink.Tls, options.Fleet.Tls })
        {
            if (tls.CaFile.Length > 0) tls.CaFile = Path.GetFullPath(tls.CaFile, baseDir);
            if (tls.CertFile.Length > 0) tls.CertFile = Path.GetFullPath(tls.CertFile, baseDir);
            if (tls.KeyFile.Length > 0) tls.KeyFile = Path.GetFullPath(tls.KeyFile, baseDir);
        }
    }

    [GeneratedRegex(@"at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
