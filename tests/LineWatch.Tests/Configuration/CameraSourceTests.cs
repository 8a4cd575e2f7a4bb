using LineWatch.Configuration;

namespace LineWatch.Tests.Configuration;

public class CameraSourceTests
{
    [Theory]
    [InlineData("rtsp://10.0.0.5:554/stream1", CameraSourceKind.Rtsp, "rtsp://10.0.0.5:554/stream1")]
    [InlineData("RTSPS://cam.local/live", CameraSourceKind.Rtsp, "RTSPS://cam.local/live")]
    [InlineData("http://cam.local/mjpeg", CameraSourceKind.Http, "http://cam.local/mjpeg")]
    [InlineData("/dev/video2", CameraSourceKind.Device, "2")]
    [InlineData("device:0", CameraSourceKind.Device, "0")]
    [InlineData("/var/clips/a.mp4", CameraSourceKind.File, "/var/clips/a.mp4")]
    [InlineData("file:///var/clips/b.avi", CameraSourceKind.File, "/var/clips/b.avi")]
    [InlineData("clips/c.mp4", CameraSourceKind.File, "/etc/linewatch/clips/c.mp4")]
    [InlineData("demo:", CameraSourceKind.Demo, "/data/demo/demo-line.mp4")]
    public void Parses_every_supported_scheme(string text, CameraSourceKind kind, string location)
    {
        Assert.True(CameraSource.TryParse(text, "/etc/linewatch", "/data", out var source, out var error), error);
        Assert.Equal(kind, source.Kind);
        Assert.Equal(location, source.Location);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("ftp://host/x", "unsupported source scheme 'ftp:'")]
    [InlineData("rtmp://host/live", "unsupported source scheme 'rtmp:'")]
    [InlineData("rtsp://", "not a valid URL")]
    public void Rejects_what_it_cannot_open(string text, string reason)
    {
        Assert.False(CameraSource.TryParse(text, "/", "/data", out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Display_hides_url_credentials()
    {
        Assert.True(CameraSource.TryParse("rtsp://admin:pa55word@10.0.0.5/s", "/", "/data", out var source, out _));
        Assert.Equal("rtsp://***@10.0.0.5/s", source.Display);
        Assert.Equal("rtsp://admin:pa55word@10.0.0.5/s", source.Location);
    }
}
