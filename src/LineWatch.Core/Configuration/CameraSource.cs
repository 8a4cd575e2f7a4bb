using System.Text.RegularExpressions;

namespace LineWatch.Configuration;

public enum CameraSourceKind
{
    Rtsp,
    Http,
    File,
    Device,
    Demo,
}

/// <summary>A camera's Source setting, parsed: what kind of source it is and what to hand OpenCV.</summary>
public sealed partial record CameraSource(CameraSourceKind Kind, string Location)
{
    public const string Schemes = "rtsp://, rtsps://, http://, https://, a file path or file://, /dev/videoN, device:N, demo:";

    /// <summary>The generated demo line, made by `linewatch demo-video` under the data directory.</summary>
    public static string DemoVideoPath(string dataDir) => System.IO.Path.Combine(dataDir, "demo", "demo-line.mp4");

    /// <summary>Parses <paramref name="text"/>; relative file paths are taken from <paramref name="baseDir"/>.</summary>
    public static bool TryParse(string text, string baseDir, string dataDir, out CameraSource source, out string error)
    {
        source = null!;
        error = "";
        text = text.Trim();
        if (text.Length == 0)
        {
            error = "is empty; give one of " + Schemes;
            return false;
        }
        if (text.Equals("demo:", StringComparison.OrdinalIgnoreCase))
        {
            source = new CameraSource(CameraSourceKind.Demo, DemoVideoPath(dataDir));
            return true;
        }
        var device = DevicePattern().Match(text);
        if (device.Success)
        {
            // OpenCV opens V4L2 devices by index; /dev/video2 and device:2 are the same camera.
            source = new CameraSource(CameraSourceKind.Device, device.Groups["index"].Value);
            return true;
        }
        var scheme = SchemePattern().Match(text);
        if (!scheme.Success)
        {
            var path = System.IO.Path.GetFullPath(text, baseDir);
            source = new CameraSource(CameraSourceKind.File, path);
            return true;
        }
        switch (scheme.Groups["scheme"].Value.ToLowerInvariant())
        {
            case "rtsp" or "rtsps":
                return Url(CameraSourceKind.Rtsp, text, out source, out error);
            case "http" or "https":
                return Url(CameraSourceKind.Http, text, out source, out error);
            case "file":
                if (!Uri.TryCreate(text, UriKind.Absolute, out var fileUri) || !fileUri.IsFile)
                {
                    error = $"'{text}' is not a valid file:// URL";
                    return false;
                }
                source = new CameraSource(CameraSourceKind.File, fileUri.LocalPath);
                return true;
            default:
                error = $"unsupported source scheme '{scheme.Groups["scheme"].Value}:'; use one of {Schemes}";
                return false;
        }
    }

    private static bool Url(CameraSourceKind kind, string text, out CameraSource source, out string error)
    {
        source = null!;
        error = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{Redact(text)}' is not a valid URL";
            return false;
        }
        source = new CameraSource(kind, text);
        return true;
    }

    /// <summary>The location as it may appear in logs and messages: URL credentials (user:password@) removed.</summary>
    public string Display => Redact(Location);

    public static string Redact(string location) => CredentialsPattern().Replace(location, "${scheme}***@");

    // A scheme needs two or more letters, so a Windows-style "C:\..." or a relative path is never taken for one.
    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.-]+):")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^(?:/dev/video|device:)(?<index>\d{1,3})$", RegexOptions.IgnoreCase)]
    private static partial Regex DevicePattern();

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex CredentialsPattern();
}
