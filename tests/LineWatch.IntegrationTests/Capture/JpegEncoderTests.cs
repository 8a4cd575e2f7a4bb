using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>JPEG snapshots, checked by decoding them again.</summary>
public sealed class JpegEncoderTests
{
    [Fact]
    public void A_frame_round_trips_through_the_decoder()
    {
        using var dir = new TempDirectory();
        var path = dir.File("snapshot.jpg");
        using (var video = VideoSource.Open(TestPaths.Vtest))
        {
            Assert.True(video.TryRead(out var frame));
            var jpeg = JpegEncoder.Encode(frame, quality: 80);
            Assert.Equal([0xFF, 0xD8], jpeg[..2]);
            Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
            Assert.InRange(jpeg.Length, 10_000, 768 * 576 * 3 / 4);
            Assert.Equal(-1, JpegEncoder.Encode(frame, 80, new byte[100], out var required));
            Assert.Equal(jpeg.Length, required);
            var exact = new byte[required];
            Assert.Equal(required, JpegEncoder.Encode(frame, 80, exact, out _));
            Assert.Equal(jpeg, exact);
            File.WriteAllBytes(path, jpeg);
        }
        using var decoded = VideoSource.Open(path);
        Assert.True(decoded.TryRead(out var image));
        Assert.Equal(768, image.Width);
        Assert.Equal(576, image.Height);
    }

    [Fact]
    public void A_packed_thumbnail_encodes_its_own_pixels()
    {
        // 40x30 of one colour (B=10 G=128 R=250) in packed BGR rows: the decoded JPEG shows that colour.
        const int width = 40, height = 30;
        var bgr = new byte[width * height * 3];
        for (var i = 0; i < width * height; i++) (bgr[3 * i], bgr[3 * i + 1], bgr[3 * i + 2]) = ((byte)10, (byte)128, (byte)250);
        using var dir = new TempDirectory();
        var path = dir.File("thumbnail.jpg");

        File.WriteAllBytes(path, JpegEncoder.Encode(bgr, width, height, width * 3, quality: 95));

        using var decoded = VideoSource.Open(path);
        Assert.True(decoded.TryRead(out var image));
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        var centre = image.Pixels.Slice(height / 2 * image.Stride + width / 2 * 3, 3).ToArray();
        Assert.InRange(centre[0], 0, 20);
        Assert.InRange(centre[1], 118, 138);
        Assert.InRange(centre[2], 240, 255);
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(bgr, width, height, width * 3, quality: 0));
    }
}
