using System.Diagnostics;

namespace LineWatch.Agent.Benchmarks;

/// <summary>The benchmarks' camera footage: a 20 s 1280x720 25 fps H.264 clip of a moving test pattern, made once with ffmpeg and cached.</summary>
internal static class BenchClip
{
    public static string Ensure(Action<string> progress)
    {
        var cache = Environment.GetEnvironmentVariable("LINEWATCH_CACHE") is { Length: > 0 } c ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "linewatch");
        var path = Path.Combine(cache, "bench", "testsrc-1280x720-25fps.mp4");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        progress($"generating {path} with ffmpeg");
        var temporary = path + ".partial.mp4";
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg",
            $"-hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=25 -t 20 -c:v libx264 -preset veryfast -pix_fmt yuv420p {temporary}")
        { RedirectStandardError = true }) ?? throw new InvalidOperationException("ffmpeg could not be started (install/setup.sh installs it)");
        var errors = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {errors}");
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
