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

    [Fact]
    public void Preprocess_writes_normalised_planar_rgb()
    {
        using var video = VideoSource.Open(TestPaths.Vtest);
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 112 * 112];

        FramePreprocessor.Normalize(frame, 112, 112, output);

        // A grey pixel v maps to (v/255 - mean)/std per channel; vtest is mostly grey pavement, so the three
        // planes have close means, and every value lies within the range reachable from 0..255.
        for (var c = 0; c < 3; c++)
        {
            var plane = output.AsSpan(c * 112 * 112, 112 * 112).ToArray();
            Assert.All(plane, v => Assert.InRange(v, -Mean[c] / Std[c] - 1e-4f, (1 - Mean[c]) / Std[c] + 1e-4f));
            var planeMean = plane.Average() * Std[c] + Mean[c];
            Assert.InRange(planeMean, 0.2, 0.8);
        }
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
        // Each output plane must be the constant (v/255 - mean)/std of its own channel (within one grey level),
        // which checks the BGR->RGB order and the normalisation.
        using var dir = new TempDirectory();
        using var video = VideoSource.Open(OrangeClip(dir));
        Assert.True(video.TryRead(out var frame));
        var output = new float[3 * 16 * 16];

        FramePreprocessor.Normalize(frame, 16, 16, output);

        float[] rgb = [250, 128, 10];
        for (var c = 0; c < 3; c++)
        {
            var expected = (rgb[c] / 255f - Mean[c]) / Std[c];
            // The decoder's colour conversion may round a level by one, never more.
            var oneLevel = 1.01f / (255f * Std[c]);
            foreach (var value in output.AsSpan(c * 256, 256)) Assert.Equal(expected, value, oneLevel);
        }
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
            Assert.Equal(-Mean[c] / Std[c], output[c * 2], 1e-4f);
            Assert.Equal((1 - Mean[c]) / Std[c], output[c * 2 + 1], 1e-4f);
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
