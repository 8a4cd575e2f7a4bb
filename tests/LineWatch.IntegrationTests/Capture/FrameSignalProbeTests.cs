using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>The probe's optical flow and light on real decoded video whose motion is known exactly.</summary>
public sealed class FrameSignalProbeTests
{
    private const int Size = 112, Grid = 7;

    /// <summary>A lossless grey 112x112 clip of a texture that moves <paramref name="pixelsPerFrame"/> to the right every frame.</summary>
    private static string MovingTexture(TempDirectory dir, int pixelsPerFrame, string name)
    {
        var clip = dir.File(name + ".mkv");
        FfmpegClip.Generate($"-f lavfi -i nullsrc=s={Size}x{Size}:r=8:d=2 " +
            $"-vf \"geq=lum='128+50*sin((X-({pixelsPerFrame})*N)/3)+40*sin(Y/4)':cb=128:cr=128\" -c:v ffv1 -pix_fmt gray {clip}");
        return clip;
    }

    private static List<float[]> Measure(string clip)
    {
        using var video = VideoSource.Open(clip);
        using var probe = new FrameSignalProbe();
        var model = new float[3 * Size * Size];
        var frames = new List<float[]>();
        while (video.TryRead(out var frame))
        {
            var signals = new float[FrameSignals.Length(Grid)];
            FramePreprocessor.Normalize(frame, Size, Size, model);
            probe.Measure(frame, Size, Grid, signals);
            frames.Add(signals);
        }
        return frames;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    public void Flow_follows_the_direction_and_speed_of_motion_in_every_region(int pixelsPerFrame)
    {
        using var dir = new TempDirectory();
        var frames = Measure(MovingTexture(dir, pixelsPerFrame, "texture"));

        Assert.All(frames[0][..(2 * Grid * Grid)], v => Assert.Equal(0, v)); // the first frame has nothing to compare with
        foreach (var signals in frames.Skip(1))
        {
            for (var region = 0; region < Grid * Grid; region++)
            {
                Assert.InRange(signals[2 * region], pixelsPerFrame - 0.4, pixelsPerFrame + 0.4);
                Assert.InRange(signals[2 * region + 1], -0.3, 0.3);
            }
        }
    }

    [Fact]
    public void A_still_picture_has_no_flow_and_its_light_is_measured()
    {
        using var dir = new TempDirectory();
        var frames = Measure(MovingTexture(dir, 0, "still"));

        foreach (var signals in frames.Skip(1))
        {
            Assert.All(signals[..(2 * Grid * Grid)], v => Assert.InRange(v, -0.05, 0.05));
            Assert.InRange(signals[FrameSignals.Luminance(Grid)], 120, 136);  // the texture is centred on 128
            Assert.InRange(signals[FrameSignals.Contrast(Grid)], 35, 55);     // two sines of 50 and 40: sqrt(50²/2 + 40²/2) ≈ 45
        }
    }

    [Fact]
    public void After_a_reset_the_next_frame_has_no_flow()
    {
        using var dir = new TempDirectory();
        using var video = VideoSource.Open(MovingTexture(dir, 2, "texture"));
        using var probe = new FrameSignalProbe();
        var model = new float[3 * Size * Size];
        var signals = new float[FrameSignals.Length(Grid)];
        for (var i = 0; i < 3 && video.TryRead(out var frame); i++)
        {
            FramePreprocessor.Normalize(frame, Size, Size, model);
            probe.Measure(frame, Size, Grid, signals);
        }
        Assert.True(signals[0] > 1);
        probe.Reset();
        Assert.True(video.TryRead(out var next));
        FramePreprocessor.Normalize(next, Size, Size, model);
        probe.Measure(next, Size, Grid, signals);
        Assert.All(signals[..(2 * Grid * Grid)], v => Assert.Equal(0, v));
    }
}
