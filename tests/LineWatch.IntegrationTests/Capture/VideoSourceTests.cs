using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>Opening and reading video through OpenCvSharp's OpenCV with real footage from opencv-doc.</summary>
public sealed class VideoSourceTests
{
    [Fact]
    public void Opens_vtest_and_reads_frames_of_the_right_size_in_order()
    {
        using var video = VideoSource.Open(TestPaths.Vtest);

        Assert.Equal(768, video.Info.Width);
        Assert.Equal(576, video.Info.Height);
        Assert.Equal(10, video.Info.Fps, 1);
        Assert.Equal(795, video.Info.FrameCount);
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
    public unsafe void Frames_are_decoded_into_one_reused_buffer()
    {
        // A frame is a view of the source's decode buffer, not a copy: the next read overwrites the same pixels.
        using var video = VideoSource.Open(TestPaths.Vtest);
        Assert.True(video.TryRead(out var first));
        var firstPixels = (nint)first.Data;
        var firstCopy = first.Pixels.ToArray();
        Assert.True(video.TryRead(out var second));
        Assert.Equal(firstPixels, (nint)second.Data);
        Assert.False(second.Pixels.SequenceEqual(firstCopy), "the buffer must hold the second frame now");
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
    public void A_directory_is_a_clear_error()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open(dir.Path));
        Assert.Equal($"not a video file or device: {dir.Path}", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_video_is_a_clear_error()
    {
        using var dir = new TempDirectory();
        var path = dir.File("notes.mp4");
        File.WriteAllText(path, "this is not a video");
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open(path));
        Assert.Equal($"could not open video source: {path}", error.Message);
    }

    [Fact]
    public void A_gstreamer_pipeline_is_refused_naming_what_is_missing()
    {
        // Debian's OpenCV had a GStreamer backend; OpenCvSharp's build has none, and says so rather than "file not found".
        const string pipeline = "videotestsrc ! videoconvert ! appsink";
        var error = Assert.Throws<VideoSourceException>(() => VideoSource.Open(pipeline));
        Assert.StartsWith("GStreamer pipelines are not supported", error.Message);
        Assert.EndsWith(pipeline, error.Message);
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
    public void An_rtsp_stream_is_read()
    {
        using var server = new RtspServer();
        using var video = VideoSource.Open(server.Url, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        Assert.Equal("FFMPEG", video.Info.Backend);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(video.TryRead(out var frame));
            Assert.Equal(320, frame.Width);
            Assert.Equal(240, frame.Height);
        }
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
    public void A_disposed_source_refuses_to_read()
    {
        var video = VideoSource.Open(TestPaths.Vtest);
        video.Dispose();
        video.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => video.TryRead(out _));
    }
}
