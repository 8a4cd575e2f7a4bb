using LineWatch.Capture;

namespace LineWatch.Tests.Capture;

/// <summary>The ffmpeg command line and input list that bring a network camera to OpenCV.</summary>
public sealed class NetworkStreamRelayTests
{
    [Fact]
    public void The_command_line_reads_the_camera_from_stdin_and_writes_live_matroska()
    {
        var line = string.Join(' ', NetworkStreamRelay.Arguments());
        Assert.Contains("-f concat -safe 0 -protocol_whitelist ", line);
        Assert.Contains("-i pipe:0 -map 0:v:0 -c copy -f matroska", line);
        Assert.EndsWith(" pipe:1", line);
        Assert.DoesNotContain("rtsp://", line);
    }

    [Fact]
    public void Rtsp_goes_over_tcp_with_the_timeout_in_microseconds()
    {
        var list = NetworkStreamRelay.InputList("rtsp://admin:pass@10.0.0.5:554/stream1", TimeSpan.FromSeconds(5), null);
        Assert.Equal("""
            ffconcat version 1.0
            file 'rtsp://admin:pass@10.0.0.5:554/stream1'
            option rtsp_transport 'tcp'
            option timeout '5000000'
            option fflags 'nobuffer'

            """, list);
    }

    [Fact]
    public void Http_has_no_rtsp_options_and_no_timeout_when_none_is_given()
    {
        var list = NetworkStreamRelay.InputList("http://cam.local/video.mjpg", TimeSpan.Zero, null);
        Assert.DoesNotContain("rtsp_transport", list);
        Assert.DoesNotContain("timeout", list);
    }

    [Fact]
    public void OpenCVs_capture_options_replace_the_defaults()
    {
        var list = NetworkStreamRelay.InputList("rtsp://cam/stream", TimeSpan.Zero, "rtsp_transport;udp|buffer_size;1048576");
        Assert.Contains("option rtsp_transport 'udp'\noption buffer_size '1048576'\n", list);
        Assert.DoesNotContain("tcp", list);
    }

    [Fact]
    public void A_quote_in_the_URL_stays_part_of_it_and_a_line_break_is_refused()
    {
        Assert.Contains("file 'rtsp://cam/it'\\''s'\n", NetworkStreamRelay.InputList("rtsp://cam/it's", TimeSpan.Zero, null));
        var error = Assert.Throws<VideoSourceException>(() => NetworkStreamRelay.InputList("rtsp://u:pw@cam/x\noption protocol_whitelist file", TimeSpan.Zero, null));
        Assert.Contains("control character", error.Message);
        Assert.DoesNotContain("pw", error.Message);
    }
}
