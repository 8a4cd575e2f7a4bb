using OpenCvSharp;

namespace LineWatch.Capture;

/// <summary>The OpenCV build the agent runs on: its version and the videoio backends it can decode with.</summary>
public static class OpenCvInfo
{
    public static string Version => Cv2.GetVersionString() ?? "unknown";

    /// <summary>
    /// The video I/O backends compiled into the library, by the names OpenCV gives them at run time (what
    /// <see cref="VideoSourceInfo.Backend"/> shows: FFMPEG, V4L2, …). OpenCvSharp does not expose OpenCV's backend
    /// registry, so they are read from its build information, plus the two readers every build has.
    /// </summary>
    public static IReadOnlyList<string> VideoBackends() => [.. ParseVideoBackends(Cv2.GetBuildInformation()), "CV_IMAGES", "CV_MJPEG"];

    // The labels of this build whose run-time name (cv::videoio_registry::getBackendName) is not just the label in capitals.
    private static readonly Dictionary<string, string> RuntimeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["v4l/v4l2"] = "V4L2",
        ["Orbbec"] = "OBSENSOR",
    };

    internal static IReadOnlyList<string> ParseVideoBackends(string buildInformation)
    {
        // The section reads "  Video I/O:" followed by more deeply indented "    NAME:   YES (details)" lines, some
        // with deeper sub-entries of their own (FFmpeg's libraries); the section ends at the next line indented no deeper than its title.
        var lines = buildInformation.Split('\n');
        var title = Array.FindIndex(lines, l => l.Trim() == "Video I/O:");
        if (title < 0) return [];
        var titleIndent = Indent(lines[title]);
        var entryIndent = -1;
        var backends = new List<string>();
        for (var i = title + 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Trim().Length == 0) continue;
            var indent = Indent(line);
            if (indent <= titleIndent) break;
            if (entryIndent < 0) entryIndent = indent;
            if (indent != entryIndent) continue;
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            if (!line[(colon + 1)..].TrimStart().StartsWith("YES", StringComparison.Ordinal)) continue;
            var label = line[..colon].Trim();
            backends.Add(RuntimeNames.GetValueOrDefault(label, label.ToUpperInvariant()));
        }
        return backends;
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;
}
