using System.Diagnostics;
using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;
using LineWatch.Record;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Record;

/// <summary>
/// Event clips from real decoded video (opencv-doc's vtest.avi, 768x576) through the capture side's JPEG ring to Debian's
/// ffmpeg, checked with ffprobe. The frames are stamped as a 25 fps camera's would be, on the same clock the writer
/// uses, so the clip's exact span is known.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClipWriterTests : IDisposable
{
    private const double Fps = 25;
    private static readonly long FrameTicks = (long)(Stopwatch.Frequency / Fps);
    private readonly TempDirectory _dir = new();

    private static ClipOptions Options() => new()
    {
        Enabled = true, PreRollSeconds = 5, PostRollSeconds = 2, MaxWidth = 320, MaxHeight = 240, BurnHeatmap = true, MinFreeDiskMegabytes = 0,
    };

    /// <summary>A camera's recording and its writer (started), clips stored under the test's folder, and vtest.avi opened as the camera.</summary>
    private sealed class Rig : IDisposable
    {
        public Rig(string dir, ClipOptions options, HeatmapOverlay? overlay)
        {
            Store = new ClipStore(dir, options, NullLogger<ClipStore>.Instance);
            Recording = new CameraRecording("press-1", options, overlay);
            Writer = new ClipWriter(Recording, options, Store, NullLogger.Instance);
            Writer.Start();
            Video = VideoSource.Open(TestPaths.Vtest);
            Recording.Open(Video.Info.Width, Video.Info.Height, Fps);
        }

        public ClipStore Store { get; }
        public CameraRecording Recording { get; }
        public ClipWriter Writer { get; }
        public VideoSource Video { get; }

        public void Dispose()
        {
            Video.Dispose();
            Writer.Dispose();
            Recording.Dispose();
        }
    }

    /// <summary>Feeds frames <paramref name="from"/> to <paramref name="to"/> (exclusive) of the looped file, stamped from <paramref name="origin"/>.</summary>
    private static void Feed(CameraRecording recording, VideoSource video, long origin, int from, int to, int pauseMs = 0)
    {
        for (var i = from; i < to; i++)
        {
            Assert.True(video.TryRead(out var frame)); // vtest.avi has 795 frames, more than any test feeds
            recording.OnFrame(frame, origin + i * FrameTicks);
            if (pauseMs > 0) Thread.Sleep(pauseMs);
        }
    }

    /// <summary>A 4x4 anomaly map: the left half at twice the threshold, the right half normal.</summary>
    private static float[] LeftHalfAnomalous() => Enumerable.Range(0, 16).Select(i => i % 4 < 2 ? 2f : 0f).ToArray();

    [Fact]
    public void An_alert_becomes_an_h264_mp4_from_the_pre_roll_before_it_to_the_post_roll_after_it_at_the_configured_size_with_the_heatmap()
    {
        var options = Options();
        var overlay = new HeatmapOverlay();
        overlay.Update(LeftHalfAnomalous());
        using var rig = new Rig(_dir.Path, options, overlay);
        var (store, recording, writer, video) = (rig.Store, rig.Recording, rig.Writer, rig.Video);
        Assert.Equal((320, 240), (recording.Width, recording.Height));

        // 10 s of video; the alert starts at 8 s and ends at 9 s: the clip must run from 3 s to 11 s.
        var origin = Stopwatch.GetTimestamp();
        Feed(recording, video, origin, 0, 250);
        const string id = "0123456789abcdef0123456789abcdef";
        writer.Begin(id, origin + 200 * FrameTicks);
        Assert.True(writer.End(id, origin + 225 * FrameTicks));
        Feed(recording, video, origin, 250, 300, pauseMs: 20);

        Eventually.True(() => store.Find("press-1", id) is not null, TimeSpan.FromSeconds(30), "the finished clip");
        var path = store.Find("press-1", id)!;
        Assert.Equal(Path.Combine(_dir.Path, "clips", "press-1", id + ".mp4"), path);
        var probe = VideoProbe.Of(path);
        Assert.Equal("h264", probe.Codec);
        Assert.Contains("mp4", probe.Format);
        Assert.Equal((320, 240), (probe.Width, probe.Height));
        // 3 s to 11 s at 25 fps: 5 s before the alert, its 1 s, 2 s after. On a loaded box the writer can start after the
        // camera has overwritten the pre-roll's first frame (the ring holds 8 s); such a frame is counted, never lost unseen.
        Assert.Equal(200, probe.Frames + writer.FramesDropped);
        Assert.InRange(writer.FramesDropped, 0, 5);
        Assert.InRange(probe.Seconds, 7.75, 8.05);
        var boxes = VideoProbe.TopLevelBoxes(path);
        Assert.True(boxes.IndexOf("moov") >= 0 && boxes.IndexOf("moov") < boxes.IndexOf("mdat"), "not faststart: " + string.Join(",", boxes));
        Assert.Equal(1, writer.Written);

        // The heatmap is burnt in: red on the left half only.
        using var clip = VideoSource.Open(path);
        Assert.True(clip.TryRead(out var first));
        double RedExcess(in VideoFrame frame, int x0, int x1)
        {
            double sum = 0;
            var pixels = frame.Pixels;
            for (var y = 0; y < frame.Height; y++)
            for (var x = x0; x < x1; x++) sum += pixels[y * frame.Stride + 3 * x + 2] - pixels[y * frame.Stride + 3 * x];
            return sum / (frame.Height * (x1 - x0));
        }
        var left = RedExcess(first, 10, 150);
        var right = RedExcess(first, 170, 310);
        Assert.True(left > right + 40, $"red minus blue: left {left:0.0}, right {right:0.0}");
    }

    [Fact]
    public void An_alert_longer_than_MaxSeconds_gets_a_clip_cut_there_and_its_end_still_links_it()
    {
        var options = Options();
        options.MaxSeconds = 7;
        using var rig = new Rig(_dir.Path, options, null);
        var (store, recording, writer, video) = (rig.Store, rig.Recording, rig.Writer, rig.Video);
        var origin = Stopwatch.GetTimestamp();
        Feed(recording, video, origin, 0, 150);
        const string id = "00112233445566778899aabbccddeeff";
        writer.Begin(id, origin + 150 * FrameTicks);
        Feed(recording, video, origin, 150, 300, pauseMs: 20);

        Eventually.True(() => store.Find("press-1", id) is not null, TimeSpan.FromSeconds(30), "the clip cut at MaxSeconds");
        var probe = VideoProbe.Of(store.Find("press-1", id)!);
        Assert.Equal(175, probe.Frames); // 7 s from 5 s before the start
        Assert.True(writer.End(id, origin + 300 * FrameTicks), "the alert's end does not link the clip written before it");
        Assert.False(writer.End("ffffffffffffffffffffffffffffffff", origin + 300 * FrameTicks));
    }

    [Fact]
    public void A_camera_slower_than_its_nominal_rate_gives_a_clip_as_long_as_the_time_it_shows()
    {
        // A 25 fps camera that delivers 3 frames a second (an overloaded machine): each frame fills 8 places of the 25 fps timeline.
        var options = Options();
        options.BurnHeatmap = false;
        using var rig = new Rig(_dir.Path, options, null);
        var (store, recording, writer, video) = (rig.Store, rig.Recording, rig.Writer, rig.Video);
        var origin = Stopwatch.GetTimestamp();
        var step = Stopwatch.Frequency / 3;
        void Slow(int from, int to, int pauseMs)
        {
            for (var i = from; i < to; i++)
            {
                Assert.True(video.TryRead(out var frame));
                recording.OnFrame(frame, origin + i * step);
                if (pauseMs > 0) Thread.Sleep(pauseMs);
            }
        }
        Slow(0, 30, 0);
        const string id = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
        writer.Begin(id, origin + 30 * step);  // at 10 s
        Slow(30, 90, 20);
        Assert.True(writer.End(id, origin + 90 * step)); // at 30 s
        Slow(90, 110, 20);

        Eventually.True(() => store.Find("press-1", id) is not null, TimeSpan.FromSeconds(60), "the clip");
        var probe = VideoProbe.Of(store.Find("press-1", id)!);
        // 5 s (the pre-roll) to 32 s (the post-roll of 2 s): frames 15 to 96, 27 s of timeline, 676 places of 1/25 s.
        Assert.Equal(676, probe.Frames);
        Assert.InRange(probe.Seconds, 27.0, 27.1);
        Assert.Equal(0, writer.FramesDropped);
    }

    [Fact]
    public void Recording_a_frame_allocates_nothing()
    {
        var options = Options();
        using var recording = new CameraRecording("press-1", options, new HeatmapOverlay());
        recording.Overlay!.Update(LeftHalfAnomalous());
        using var video = VideoSource.Open(TestPaths.Vtest);
        recording.Open(video.Info.Width, video.Info.Height, Fps);
        var origin = Stopwatch.GetTimestamp();
        Feed(recording, video, origin, 0, 50); // first calls: buffers made, code compiled

        const int frames = 400;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(recording, video, origin, 50, 50 + frames);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(50 + frames, recording.FramesKept);
        // One object per frame would be at least 24 bytes a frame, 9,600 in all.
        Assert.True(allocated < 1024, $"{allocated} bytes allocated over {frames} frames");
    }

    [Fact]
    public void A_writer_slower_than_the_camera_loses_the_oldest_frames_counted_and_capture_never_waits()
    {
        var options = Options();
        // An encoder that reads one byte, then nothing until the test says so: the writer blocks on its full pipe, the
        // ring (8 s) overflows. The byte, kept in a file and handed on to ffmpeg in front of the rest, tells the test the
        // writer has taken the clip's first frame; on a busy machine its thread may not run until long after Begin.
        var first = _dir.File("first-byte");
        var go = _dir.File("go");
        var slow = _dir.File("slow-ffmpeg.sh");
        File.WriteAllText(slow, $"#!/bin/sh\ndd bs=1 count=1 of='{first}' 2>/dev/null\nwhile [ ! -e '{go}' ]; do sleep 0.1; done\n" +
            $"cat '{first}' - | ffmpeg \"$@\"\n");
        File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        options.FfmpegPath = slow;
        using var rig = new Rig(_dir.Path, options, null);
        var (store, recording, writer, video) = (rig.Store, rig.Recording, rig.Writer, rig.Video);
        var origin = Stopwatch.GetTimestamp();
        Feed(recording, video, origin, 0, 150);
        const string id = "fedcba9876543210fedcba9876543210";
        writer.Begin(id, origin + 150 * FrameTicks);
        Assert.True(writer.End(id, origin + 450 * FrameTicks));
        Eventually.True(() => File.Exists(first) && new FileInfo(first).Length == 1, TimeSpan.FromSeconds(60), "the writer's first byte");
        // 14 s of video while the encoder reads nothing: every frame is taken, capture does not wait for the writer.
        Feed(recording, video, origin, 150, 510);
        Assert.Equal(510, recording.FramesKept);
        File.WriteAllText(go, "");

        Eventually.True(() => store.Find("press-1", id) is not null, TimeSpan.FromSeconds(60), "the clip, with what was left of its frames");
        Assert.True(writer.FramesDropped > 100, $"{writer.FramesDropped} frames counted as dropped");
        var probe = VideoProbe.Of(store.Find("press-1", id)!);
        Assert.Equal("h264", probe.Codec);
        // What was kept lies at its time: 1 s to 20 s, the lost stretch filled by repeating the frame before it.
        Assert.Equal(475, probe.Frames);
        Assert.InRange(probe.Seconds, 18.95, 19.05);
    }

    public void Dispose() => _dir.Dispose();
}
