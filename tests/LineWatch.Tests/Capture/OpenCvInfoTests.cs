using LineWatch.Capture;

namespace LineWatch.Tests.Capture;

/// <summary>The video backends, read from OpenCV's build information.</summary>
public sealed class OpenCvInfoTests
{
    // The shape of OpenCV 4.13's report (cv::getBuildInformation), trimmed around its Video I/O section.
    private const string BuildInformation = """
          Media I/O:
            ZLib:                        build (ver 1.3.1)
            JPEG:                        build-libjpeg-turbo (ver 3.0.3-70)

          Video I/O:
            DC1394:                      NO
            FFMPEG:                      YES
              avcodec:                   YES (61.19.101)
              avformat:                  YES (61.7.100)
            GStreamer:                   NO
            v4l/v4l2:                    YES (linux/videodev2.h)
            Orbbec:                      YES

          Parallel framework:            pthreads
        """;

    [Fact]
    public void Lists_the_backends_built_in_by_their_run_time_names()
    {
        Assert.Equal(["FFMPEG", "V4L2", "OBSENSOR"], OpenCvInfo.ParseVideoBackends(BuildInformation));
    }

    [Fact]
    public void A_report_without_the_section_lists_none()
    {
        Assert.Empty(OpenCvInfo.ParseVideoBackends("General configuration for OpenCV 4.13.0\n  Parallel framework: pthreads\n"));
    }
}
