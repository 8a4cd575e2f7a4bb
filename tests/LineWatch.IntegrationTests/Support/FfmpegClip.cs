using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>Generates small test clips with Debian's ffmpeg (installed by install/setup.sh).</summary>
internal static class FfmpegClip
{
    public static void Generate(string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("ffmpeg", "-hide_banner -loglevel error -y " + arguments) { RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg {arguments} failed: {errors}");
    }
}
