using LineWatch.Capture;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Capture;

/// <summary>Frames into the model's input layout and into thumbnails, on real decoded video.</summary>
public sealed class FramePreprocessorTests
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    /// <summary>A lossless (FFV1, BGR) clip of one colour, R=250 G=128 B=10, so every pixel's value is known exactly.</summary>
    private static string OrangeClip(TempDirectory dir)
    {
        var clip = dir.File("orange.mkv");
        FfmpegClip.Generate($"-f lavfi -i color=c=0xFA800A:s=64x48:r=5:d=1 -c:v ffv1 -pix_fmt bgr0 {clip}");
        return clip;
    }

    /// <summary>What a pixel of 8-bit value v in channel c becomes in a frame whose mean grey level is <paramref name="grey"/> (0..1).</summary>
    private static float Expected(float v, int c, double grey) =>
        (float)((Math.Min(FramePreprocessor.MaxGain, FramePreprocessor.ExposureTarget / grey) * v / 255 - Mean[c]) / Std[c]);

    [Fact]
    public void Preprocess_writes_exposure_normalised_planar_rgb()
    {
        using var video = VideoSource.Open(TestPaths.Vtest);
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 112 * 112];

        FramePreprocessor.Normalize(frame, 112, 112, output);

        // After the exposure gain the frame's mean grey level (Rec. 601 weights) is the target.
        double[] weights = [0.299, 0.587, 0.114];
        var grey = Enumerable.Range(0, 3).Sum(c => weights[c] * (output.AsSpan(c * 112 * 112, 112 * 112).ToArray().Average() * Std[c] + Mean[c]));
        Assert.Equal(FramePreprocessor.ExposureTarget, grey, 1e-3);
        var refused = false;
        try
        {
            FramePreprocessor.Normalize(frame, 112, 112, new float[10]);
        }
        catch (ArgumentException)
        {
            refused = true;
        }
        Assert.True(refused, "a destination smaller than 3xHxW must be refused");
    }

    [Fact]
    public void Preprocess_maps_a_known_colour_exactly()
    {
        // Each output plane must be the constant (gain * v/255 - mean)/std of its own channel (within one grey
        // level), which checks the BGR->RGB order, the exposure gain and the normalisation.
        using var dir = new TempDirectory();
        using var video = VideoSource.Open(OrangeClip(dir));
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 16 * 16];

        FramePreprocessor.Normalize(frame, 16, 16, output);

        float[] rgb = [250, 128, 10];
        var grey = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255;
        for (var c = 0; c < 3; c++)
        {
            // The decoder's colour conversion may round a level by one, never more (and the gain scales that level).
            var oneLevel = 1.5f / (255f * Std[c]);
            foreach (var value in output.AsSpan(c * 256, 256)) Assert.Equal(Expected(rgb[c], c, grey), value, oneLevel);
        }
    }

    [Fact]
    public void The_same_scene_under_dimmer_or_brighter_light_gives_the_same_input()
    {
        // A grey ramp at full light and at 60% light (lossless, so only the light differs): after the exposure
        // gain the model sees the same picture, to within the rounding of the dimmer frame's levels.
        using var dir = new TempDirectory();
        float[] Input(string name, string light)
        {
            var clip = dir.File(name);
            FfmpegClip.Generate($"-f lavfi -i gradients=s=64x48:c0=0x202020:c1=0xC0C0C0:r=5:d=1:speed=0.0001:seed=1 -vf lutrgb=r=val*{light}:g=val*{light}:b=val*{light} -c:v ffv1 -pix_fmt bgr0 {clip}");
            using var video = VideoSource.Open(clip);
            Assert.True(video.TryRead(out var frame));
            var output = new float[3 * 16 * 16];
            FramePreprocessor.Normalize(frame, 16, 16, output);
            return output;
        }

        var full = Input("full.mkv", "1");
        var dim = Input("dim.mkv", "0.6");

        var worst = full.Zip(dim, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 0.06f, $"largest difference {worst}: the light still shows in the model's input");
        Assert.True(full.Max() - full.Min() > 1, "the ramp must span a range of values, or the test proves nothing");
    }

    [Fact]
    public void A_black_frame_is_not_blown_up()
    {
        // Lights off: a frame of level 2 would need a gain of ~57 to reach the target; it gets MaxGain, so sensor
        // noise is not amplified into texture (the lighting channel is what reports the dark).
        using var dir = new TempDirectory();
        var clip = dir.File("black.mkv");
        FfmpegClip.Generate($"-f lavfi -i color=c=0x020202:s=32x16:r=5:d=1 -c:v ffv1 -pix_fmt bgr0 {clip}");
        using var video = VideoSource.Open(clip);
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 8 * 4];

        FramePreprocessor.Normalize(frame, 8, 4, output);

        for (var c = 0; c < 3; c++) Assert.Equal(Expected(2, c, 2 / 255.0), output[c * 32], 1e-3f);
    }

    [Fact]
    public void Preprocess_resizes_by_area_averaging()
    {
        // Left half black, right half white, 64 pixels wide, shrunk to 2: area averaging gives exactly one black
        // and one white column (a point sampler could pick any pixel; a bilinear one would blur the edge).
        using var dir = new TempDirectory();
        var clip = dir.File("halves.mkv");
        FfmpegClip.Generate($"-f lavfi -i color=c=black:s=32x16:r=5:d=1 -f lavfi -i color=c=white:s=32x16:r=5:d=1 " +
                            $"-filter_complex hstack -c:v ffv1 -pix_fmt bgr0 {clip}");
        using var video = VideoSource.Open(clip);
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 2 * 1];

        FramePreprocessor.Normalize(frame, 2, 1, output);

        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(Expected(0, c, 0.5), output[c * 2], 1e-4f);
            Assert.Equal(Expected(255, c, 0.5), output[c * 2 + 1], 1e-4f);
        }
    }

    [Fact]
    public void Thumbnails_are_packed_bgr_rows()
    {
        using var dir = new TempDirectory();
        using var video = VideoSource.Open(OrangeClip(dir));
        Assert.True(video.TryRead(out var frame));
        const int width = 10, height = 6;
        var thumbnail = new byte[width * height * 3 + 7];
        Array.Fill(thumbnail, (byte)0x55);

        FramePreprocessor.Thumbnail(frame, width, height, thumbnail);

        for (var i = 0; i < width * height; i++)
        {
            Assert.InRange(thumbnail[3 * i], 9, 11);        // B
            Assert.InRange(thumbnail[3 * i + 1], 127, 129); // G
            Assert.InRange(thumbnail[3 * i + 2], 249, 251); // R
        }
        Assert.All(thumbnail[(width * height * 3)..], b => Assert.Equal(0x55, b)); // nothing written past the image
        var refused = false;
        try
        {
            FramePreprocessor.Thumbnail(frame, width, height, new byte[width * height * 3 - 1]);
        }
        catch (ArgumentException)
        {
            refused = true;
        }
        Assert.True(refused, "a destination smaller than the thumbnail must be refused");
    }

    [Fact]
    public void Reading_and_preprocessing_allocate_nothing_per_frame()
    {
        // The capture hot path: decode, the model's input, its flow and light signals, the window's thumbnail and
        // the dashboard's picture (two sizes, alternating).
        using var video = VideoSource.Open(TestPaths.Vtest);
        using var probe = new FrameSignalProbe();
        var input = new float[3 * 112 * 112];
        var signals = new float[FrameSignals.Length(7)];
        var thumbnail = new byte[160 * 120 * 3];
        var live = new byte[640 * 480 * 3];
        void Process(int frames)
        {
            for (var i = 0; i < frames; i++)
            {
                Assert.True(video.TryRead(out var frame));
                FramePreprocessor.Normalize(frame, 112, 112, input);
                probe.Measure(frame, 112, 7, signals);
                FramePreprocessor.Thumbnail(frame, 160, 120, thumbnail);
                if (i % 2 == 0) FramePreprocessor.Thumbnail(frame, 640, 480, live);
            }
        }
        Process(50); // first calls: buffers created, code compiled

        const int frames = 400;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Process(frames);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // One object per frame would be at least 24 bytes a frame, 9,600 in all.
        Assert.True(allocated < 1024, $"{allocated} bytes allocated over {frames} frames");
    }
}
