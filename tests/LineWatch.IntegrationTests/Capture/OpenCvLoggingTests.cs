using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>OpenCV's and FFmpeg's own console output: silent in the agent, back when the user asks for it.</summary>
public sealed class OpenCvLoggingTests
{
    [Fact]
    public void FFmpeg_is_quiet_about_a_damaged_file_unless_asked()
    {
        // A truncated vtest.avi makes the decoder complain about broken macroblocks at its end.
        using var dir = new TempDirectory();
        var truncated = dir.File("truncated.avi");
        var bytes = File.ReadAllBytes(TestPaths.Vtest);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 16)]);
        string[] decode = ["bench", "decode", "--file", truncated, "--repeats", "1"];

        var (quietExit, quiet) = AgentProcess.Run(decode);
        var (loudExit, loud) = AgentProcess.Run(new Dictionary<string, string> { ["OPENCV_FFMPEG_LOGLEVEL"] = "24" }, decode);

        Assert.True(quietExit == 0, quiet);
        Assert.True(loudExit == 0, loud);
        Assert.DoesNotContain("[OPENCV:FFMPEG", quiet);
        Assert.DoesNotContain("@ 0x", quiet); // FFmpeg's own "[msmpeg4 @ 0x…]" lines
        Assert.Contains("[OPENCV:FFMPEG:", loud);
    }
}
