using System.Reflection;

namespace LineWatch.Diagnostics;

public static class AppVersion
{
    /// <summary>The product version (Directory.Build.props), without the source-revision suffix.</summary>
    public static string Current { get; } =
        typeof(AppVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
