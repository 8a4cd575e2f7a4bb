using LineWatch.Capture;

namespace LineWatch.Tests.Capture;

/// <summary>The ffmpeg command line that brings a network camera to OpenCV.</summary>
public sealed class NetworkStreamRelayTests
{
    private static string Line(string url, TimeSpan timeout, string? userOptions = null) =>
        string.Join(' ', NetworkStreamRelay.Arguments(url, timeout, userOptions));

    [Fact]
    public void Rtsp_goes_over_tcp_with_the_timeout_in_microseconds()
    {
        var line = Line("rtsp://10.0.0.5:554/stream1", TimeSpan.FromSeconds(5));
        Assert.Contains("-rtsp_transport tcp -timeout 5000000 ", line);
        Assert.Contains("-i rtsp://10.0.0.5:554/stream1 -map 0:v:0 -c copy -f matroska", line);
        Assert.EndsWith(" pipe:1", line);
    }

    [Fact]
    public void Http_has_no_rtsp_options_and_no_timeout_when_none_is_given()
    {
        var line = Line("http://cam.local/video.mjpg", TimeSpan.Zero);
        Assert.DoesNotContain("rtsp_transport", line);
        Assert.DoesNotContain("-timeout", line);
    }

    [Fact]
    public void OpenCVs_capture_options_replace_the_defaults()
    {
        var line = Line("rtsp://cam/stream", TimeSpan.Zero, "rtsp_transport;udp|buffer_size;1048576");
        Assert.Contains("-rtsp_transport udp -buffer_size 1048576 ", line);
        Assert.DoesNotContain("tcp", line);
    }
}
