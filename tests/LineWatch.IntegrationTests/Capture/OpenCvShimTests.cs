using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>Our OpenCV shim against Debian's OpenCV and real footage from opencv-doc.</summary>
public sealed class OpenCvShimTests
{
    [Fact]
    public void Opens_vtest_and_reads_frames_of_the_right_size_in_order()
    {
        using var video = VideoSource.Open(TestPaths.Vtest);

        Assert.Equal(768, video.Info.Width);
        Assert.Equal(576, video.Info.Height);
        Assert.Equal(10, video.Info.Fps, 1);
        Assert.Equal("FFMPEG", video.Info.Backend);

        var previous = -1.0;
        var frames = 0;
        var changed = false;
        byte[]? first = null;
        while (frames < 30 && video.TryRead(out var frame))
        {
            Assert.Equal(768, frame.Width);
            Assert.Equal(576, frame.Height);
            Assert.True(frame.Stride >= 768 * 3);
            Assert.True(frame.PositionMs > previous, "timestamps must increase");
            previous = frame.PositionMs;
            if (first is null) first = frame.Pixels.ToArray();
            else changed |= !frame.Pixels.SequenceEqual(first);
            frames++;
        }
        Assert.Equal(30, frames);
        Assert.True(changed, "pedestrians move, so frames must differ");
    }

    [Fact]
    public void Reads_to_the_end_of_a_file_and_then_reports_end_of_stream()
    {
        using var video = VideoSource.Open(TestPaths.Vtest);
        var frames = 0;
        while (video.TryRead(out _)) frames++;
        Assert.Equal(795, frames);
        Assert.False(video.TryRead(out _));
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open("/nonexistent/camera.mp4"));
        Assert.Equal("video file not found: /nonexistent/camera.mp4", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_video_is_a_clear_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "this is not a video");
            var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_unreachable_stream_fails_within_its_timeout()
    {
        var port = MosquittoBroker.FreePort(); // nothing listens there
        var started = DateTime.UtcNow;
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open($"rtsp://127.0.0.1:{port}/none", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)));
        Assert.Contains($"rtsp://127.0.0.1:{port}/none", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void The_corrupted_stream_is_survived()
    {
        // Megamind_bugy.avi is deliberately broken: decoding must end in frames, a clean end or a clear error — never a crash.
        var frames = 0;
        string? failure = null;
        try
        {
            using var video = VideoSource.Open(TestPaths.MegamindBuggy);
            while (frames < 10_000)
            {
                if (!video.TryRead(out var frame)) break;
                Assert.True(frame.Width > 0 && frame.Height > 0);
                frames++;
            }
        }
        catch (VideoSourceException e)
        {
            failure = e.Message;
        }
        Assert.True(frames > 0 || failure is not null);
        if (failure is not null) Assert.Contains("Megamind_bugy.avi", failure);
    }

    [Fact]
    public void Preprocess_writes_normalised_planar_rgb()
    {
        using var video = VideoSource.Open(TestPaths.Vtest);
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 112 * 112];

        FramePreprocessor.Normalize(frame, 112, 112, output);

        // A grey pixel v maps to (v/255 - mean)/std per channel; vtest is mostly grey pavement, so the three
        // planes have close means, and every value lies within the range reachable from 0..255.
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        for (var c = 0; c < 3; c++)
        {
            var plane = output.AsSpan(c * 112 * 112, 112 * 112).ToArray();
            Assert.All(plane, v => Assert.InRange(v, -mean[c] / std[c] - 1e-4f, (1 - mean[c]) / std[c] + 1e-4f));
            var planeMean = plane.Average() * std[c] + mean[c];
            Assert.InRange(planeMean, 0.2, 0.8);
        }
        var tooSmall = false;
        try
        {
            FramePreprocessor.Normalize(frame, 112, 112, new float[10]);
        }
        catch (ArgumentException)
        {
            tooSmall = true;
        }
        Assert.True(tooSmall, "a destination smaller than 3xHxW must be refused");
    }

    [Fact]
    public void Preprocess_maps_a_known_colour_exactly()
    {
        // A lossless (FFV1, BGR) clip of one colour, R=250 G=128 B=10: each output plane must be the constant
        // (v/255 - mean)/std of its own channel (within one grey level), which checks the BGR->RGB order and the normalisation.
        using var dir = new TempDirectory();
        var clip = dir.File("orange.mkv");
        FfmpegClip.Generate($"-f lavfi -i color=c=0xFA800A:s=64x48:r=5:d=1 -c:v ffv1 -pix_fmt bgr0 {clip}");
        using var video = VideoSource.Open(clip);
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 16 * 16];

        FramePreprocessor.Normalize(frame, 16, 16, output);

        float[] rgb = [250, 128, 10], mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        for (var c = 0; c < 3; c++)
        {
            var expected = (rgb[c] / 255f - mean[c]) / std[c];
            // The decoder's colour conversion may round a level by one, never more.
            var oneLevel = 1.01f / (255f * std[c]);
            foreach (var value in output.AsSpan(c * 256, 256)) Assert.Equal(expected, value, oneLevel);
        }
    }

    [Fact]
    public void Jpeg_encoding_round_trips_through_the_decoder()
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
            File.WriteAllBytes(path, jpeg);
        }
        using var decoded = VideoSource.Open(path);
        Assert.True(decoded.TryRead(out var image));
        Assert.Equal(768, image.Width);
        Assert.Equal(576, image.Height);
    }
}
