using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>RTSP goes over TCP unless the user chooses otherwise through OpenCV's OPENCV_FFMPEG_CAPTURE_OPTIONS.</summary>
public sealed class RtspTransportTests
{
    [Fact]
    public void A_server_that_offers_only_udp_is_refused_because_rtsp_goes_over_tcp()
    {
        using var server = new RtspServer(udpOnly: true);
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open(server.Url, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)));
        Assert.StartsWith($"could not open video source: {server.Url} (", error.Message);
    }

    [Fact]
    public void Udp_is_used_when_the_capture_options_ask_for_it()
    {
        // In a process of its own: the options are read from the environment the agent started with.
        using var server = new RtspServer(udpOnly: true);
        var (exitCode, output) = AgentProcess.Run(new Dictionary<string, string> { ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = "rtsp_transport;udp" },
            "bench", "decode", "--file", server.Url, "--repeats", "1", "--frames", "10");
        Assert.True(exitCode == 0, output);
        Assert.Contains("| cam | 320x240 | h264 | FFMPEG | 10 |", output);
    }
}
