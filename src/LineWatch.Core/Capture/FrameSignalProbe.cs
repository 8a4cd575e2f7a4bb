using OpenCvSharp;
using OpenCvSharp.Internal;

namespace LineWatch.Capture;

/// <summary>
/// Measures, per analysed frame, what the backbone's features do not show reliably: which way and how fast each
/// region moves (dense Farneback optical flow against the previous analysed frame, combined per region, so a
/// belt running backwards at normal speed, stopped or too fast is told from normal), and the picture's light
/// level and contrast (lights failing, smoke). It works on the model-sized picture that
/// <see cref="FramePreprocessor.Normalize"/> has just made, in Mats allocated once, so nothing is allocated per
/// frame. One probe per camera, used on its capture thread.
/// <para>Flow is measured after the frame is brought to the previous frame's light: Farneback assumes a point keeps its
/// brightness, and a frame a few percent brighter (flicker, a lamp's ripple, auto exposure) moves its estimate wherever
/// the picture has a strong gradient, so the edges of a pale object read as motion. The light change is the median
/// ratio of the two frames' pixels, which the few pixels that really move hardly change; the light signals themselves
/// are taken from the frame as it came.</para>
/// <para>Both frames are also brought to one contrast before the flow. Farneback divides by the local gradients'
/// determinant plus a fixed 1e-3, so on a flat picture (a dim hall, haze) weak gradients read as less motion: on a
/// dim scene whose contrast drifted from 14 to 9, the belt read 45% slow and the line-speed channel alarmed, and the
/// measured speed followed the contrast with a correlation of 0.93. At one contrast the same footage read within
/// 23% (correlation 0.65). Every belt measured reads faster than before, brighter scenes' too (1.30 → 1.78 px per
/// analysed frame on one): the damping had under-read them all, so profiles are learned again (docs/scoring.md).</para>
/// <para>A region's flow is not the plain mean of its pixels' flow but the motion that best explains it where the picture
/// can show motion: each pixel counts through its gradients' structure tensor, and only if the next frame, sampled where
/// its flow points, matches it. Along a straight edge only the motion across the edge is visible, and in a flat area
/// none; there Farneback fills in whatever its smoothing and pyramid bring, and a pale flat box whose slightly slanted
/// edge shook by 0.3 px read 40-90 px of vertical motion (scene 118's station head, five false alarms in 2.55 h). The
/// tensor gives such pixels no say in the directions they cannot see, the photometric check drops flow that does not
/// land on the same picture, and a region is drawn towards no motion in the directions in which it shows little texture.</para>
/// <para>Each row and each column of regions is also matched as a whole strip by phase correlation, the shift at the peak
/// of the two strips' normalised cross-power spectrum. Farneback's estimate shrinks as noise grows and stops following
/// a shift much beyond its window: a dim scene's belt read 18-28% slow in its darker minutes, and a belt sped up 1.8x
/// read only 27% faster, so the line-speed channel alarmed on one and missed the other. Noise lowers the correlation's
/// peak but does not move it, and the strip's full width follows any shift it can still see: on the same footage the
/// strip read within 10% and +71-74% (docs/benchmarks.md). Which strip carries the belt is the profile's business
/// (<see cref="Scoring.BeltShift"/>): measuring every one keeps the signals independent of what was learned.</para>
/// <para>Each strip's profile along its length is kept too (its grey level per pixel, averaged across the strip): the
/// belt-pattern channel (<see cref="Scoring.BeltPattern"/>) compares each stretch of the belt with its neighbours one
/// period ahead and behind, which shows a part missing, doubled or turned where the backbone's 16 px patches do not.
/// 1568 values a frame at 112 px; summing 12,544 grey levels twice costs far less than the flow.</para>
/// </summary>
public sealed unsafe class FrameSignalProbe : IDisposable
{
    /// <summary>What the signals' meaning depends on: a window cache whose signals were measured by another version
    /// measures them again (<see cref="Scoring.WindowCache"/>). 2: flow at one contrast; 3: regions' flow weighed by texture;
    /// 4: strips' shifts by phase correlation; 5: strips' profiles.</summary>
    public const int Version = 5;

    // The grey-level spread (0-255 scale) both frames are scaled to before the flow, and the most and least gain: a
    // black picture (a lens cap, lights out) is not amplified into pure noise.
    private const double FlowContrast = 64, MaxFlowGain = 16, MinFlowGain = 0.25;

    // Farneback settings for pictures of about 112 px: two pyramid levels and a 9 px window follow a belt moving
    // a few pixels per analysed frame; more would smooth away the small regions of the grid.
    private const double PyramidScale = 0.5;
    private const int Levels = 2, WindowSize = 9, Iterations = 3, PolyN = 5;
    private const double PolySigma = 1.1;

    // The prior of no motion added to a region's texture (its gradients' structure tensor) in every direction: this share
    // of the region's own texture, so a direction in which the region shows far less than in the other (along an edge)
    // reads no motion, plus this much per pixel, about the gradients (squared, grey levels per pixel at the flow contrast)
    // that compression noise alone leaves, so a flat region reads no motion.
    private const double OwnTextureShare = 0.05, NoiseTexture = 1;

    // A pixel whose flow lands on a grey level further than this from its own (at the flow contrast of 64) is not
    // moving where its flow says, and is left out.
    private const float MaxResidual = 16;

    // Pixels darker than this are mostly noise: their ratios say nothing about the light.
    private const int MinLitPixel = 24;

    // The ratio histogram: bins of log(current / previous), RatioBins per unit of log, covering ratios 0.5-2.
    private const int RatioBinsPerLog = 256, RatioBins = 2 * 178 + 1; // 178 = ln 2 x 256, rounded up

    // log(v) for every 8-bit value (log 0 stands in as log 0.5; such pixels are not counted anyway).
    private static readonly float[] Log = Enumerable.Range(0, 256).Select(v => (float)Math.Log(Math.Max(v, 0.5))).ToArray();

    private MatBuffer _previous = new(), _current = new();
    private readonly MatBuffer _flow = new(), _reference = new(), _matched = new(); // the previous frame and this one matched to its light, as floats
    private readonly int[] _ratios = new int[RatioBins];
    // The strips (rows, then columns) of the two frames the flow compares, as views of their pixels, and the Hann windows
    // the correlation weighs them with, so a strip's cut edges do not read as a pattern that stays put.
    private MatBuffer[] _earlierStrips = [], _laterStrips = [];
    private readonly MatBuffer _rowWindow = new(), _columnWindow = new();
    private byte* _earlierPixels, _laterPixels;
    private bool _hasPrevious;
    private float _previousContrast;

    /// <summary>The next frame is not continuous with the last (a reconnect, a new file): it gets no flow.</summary>
    public void Reset() => _hasPrevious = false;

    /// <summary>
    /// Writes the frame's signals (<see cref="FrameSignals"/> layout) into <paramref name="signals"/>. Call it
    /// right after <see cref="FramePreprocessor.Normalize"/> with the same size, whose resized picture it reads.
    /// </summary>
    public void Measure(in VideoFrame frame, int size, int grid, Span<float> signals)
    {
        if (signals.Length < FrameSignals.Length(grid)) throw new ArgumentException($"signals hold {signals.Length} floats; {FrameSignals.Length(grid)} are needed", nameof(signals));
        if (grid < 1 || size != FrameSignals.ProfileLength(grid)) throw new ArgumentOutOfRangeException(nameof(grid), $"a {grid} x {grid} grid of {Processing.ClipShape.PatchSize} px patches does not make a {size} px picture");
        try
        {
            _current.ConvertFrom(frame.Buffers.Resized(size, size), ColorConversionCodes.BGR2GRAY);
        }
        catch (OpenCvSharpException e)
        {
            throw new VideoSourceException($"converting a {size}x{size} picture to grey: {e.Message}");
        }
        Light(_current.Mat, size, out signals[FrameSignals.Luminance(grid)], out signals[FrameSignals.Contrast(grid)]);
        StripProfiles(_current.Mat, grid, signals.Slice(FrameSignals.Profile(grid, 0), 2 * grid * FrameSignals.ProfileLength(grid)));
        var flow = signals[..(2 * grid * grid)];
        if (_hasPrevious)
        {
            try
            {
                var gain = Math.Clamp(FlowContrast / Math.Max(_previousContrast, 1e-3), MinFlowGain, MaxFlowGain);
                _reference.ScaleFrom(_previous, gain);
                _matched.ScaleFrom(_current, gain / LightChange(_previous.Mat, _current.Mat, size));
                NativeMethods.HandleException(NativeMethods.video_calcOpticalFlowFarneback(_reference.Input, _matched.Input, _flow.Output,
                    PyramidScale, Levels, WindowSize, Iterations, PolyN, PolySigma, 0));
            }
            catch (OpenCvSharpException e)
            {
                throw new VideoSourceException($"optical flow on a {size}x{size} picture: {e.Message}");
            }
            GC.KeepAlive(_previous);
            GC.KeepAlive(_reference);
            GC.KeepAlive(_matched);
            GC.KeepAlive(_flow);
            RegionFlow(_flow.Mat, _reference.Mat, _matched.Mat, size, grid, flow);
            StripShifts(size, grid, signals.Slice(FrameSignals.RowShift(grid, 0), 4 * grid));
        }
        else
        {
            flow.Clear();
            signals.Slice(FrameSignals.RowShift(grid, 0), 4 * grid).Clear();
        }
        (_previous, _current) = (_current, _previous);
        _previousContrast = signals[FrameSignals.Contrast(grid)];
        _hasPrevious = true;
    }

    /// <summary>Each strip's (dx, dy) from the earlier frame to this one, rows then columns; 0 where the correlation has no peak.</summary>
    private void StripShifts(int size, int grid, Span<float> shifts)
    {
        if (_reference.Mat.DataPointer != _earlierPixels || _matched.Mat.DataPointer != _laterPixels || _earlierStrips.Length != 2 * grid) MakeStrips(size, grid);
        try
        {
            for (var s = 0; s < 2 * grid; s++)
            {
                var window = s < grid ? _rowWindow : _columnWindow;
                NativeMethods.HandleException(NativeMethods.imgproc_phaseCorrelate(_earlierStrips[s].Input, _laterStrips[s].Input, window.Input, out _, out var shift));
                (shifts[2 * s], shifts[2 * s + 1]) = double.IsFinite(shift.X) && double.IsFinite(shift.Y) ? ((float)shift.X, (float)shift.Y) : (0, 0);
            }
        }
        catch (OpenCvSharpException e)
        {
            throw new VideoSourceException($"phase correlation on a {size}x{size} picture: {e.Message}");
        }
        GC.KeepAlive(_reference);
        GC.KeepAlive(_matched);
    }

    /// <summary>The strips as views of the two frames' pixels (whole cells only: a remainder of pixels is left out) and
    /// their windows; made when the frames first get pixels, and again should OpenCV give them new ones.</summary>
    private void MakeStrips(int size, int grid)
    {
        DisposeStrips();
        var cell = size / grid;
        var areas = Enumerable.Range(0, grid).Select(r => new Rect(0, r * cell, size, cell))
            .Concat(Enumerable.Range(0, grid).Select(c => new Rect(c * cell, 0, cell, size))).ToArray();
        _earlierStrips = areas.Select(a => MatBuffer.View(_reference, a)).ToArray();
        _laterStrips = areas.Select(a => MatBuffer.View(_matched, a)).ToArray();
        NativeMethods.HandleException(NativeMethods.imgproc_createHanningWindow(_rowWindow.Output, new Size(size, cell), MatType.CV_32FC1));
        NativeMethods.HandleException(NativeMethods.imgproc_createHanningWindow(_columnWindow.Output, new Size(cell, size), MatType.CV_32FC1));
        _earlierPixels = _reference.Mat.DataPointer;
        _laterPixels = _matched.Mat.DataPointer;
    }

    private void DisposeStrips()
    {
        foreach (var strip in _earlierStrips.Concat(_laterStrips)) strip.Dispose();
        _earlierStrips = _laterStrips = [];
    }

    /// <summary>
    /// How much brighter <paramref name="current"/> is than <paramref name="previous"/>: the median ratio of their lit
    /// pixels, from a histogram of log ratios (0.4% wide bins, 0.5 to 2), so no pixel list is sorted or allocated.
    /// 1 when too few pixels are lit to tell.
    /// </summary>
    private double LightChange(Mat previous, Mat current, int size)
    {
        Array.Clear(_ratios);
        var (previousStep, currentStep) = (previous.Step(), current.Step());
        var before = (byte*)previous.DataPointer;
        var after = (byte*)current.DataPointer;
        var lit = 0;
        for (var y = 0; y < size; y++)
        {
            var rowBefore = new ReadOnlySpan<byte>(before + y * previousStep, size);
            var rowAfter = new ReadOnlySpan<byte>(after + y * currentStep, size);
            for (var x = 0; x < size; x++)
            {
                if (rowBefore[x] < MinLitPixel) continue;
                var bin = (int)MathF.Round((Log[rowAfter[x]] - Log[rowBefore[x]]) * RatioBinsPerLog) + RatioBins / 2;
                _ratios[Math.Clamp(bin, 0, RatioBins - 1)]++;
                lit++;
            }
        }
        if (lit < size * size / 8) return 1;
        var seen = 0;
        for (var bin = 0; bin < RatioBins; bin++)
        {
            seen += _ratios[bin];
            if (2 * seen >= lit) return Math.Exp((bin - RatioBins / 2) / (double)RatioBinsPerLog);
        }
        return 1;
    }

    private static void Light(Mat grey, int size, out float mean, out float contrast)
    {
        long sum = 0, squares = 0;
        var step = grey.Step();
        var pixels = (byte*)grey.DataPointer;
        for (var y = 0; y < size; y++)
        {
            var row = new ReadOnlySpan<byte>(pixels + y * step, size);
            foreach (var v in row)
            {
                sum += v;
                squares += v * v;
            }
        }
        var n = (double)size * size;
        var m = sum / n;
        mean = (float)m;
        contrast = (float)Math.Sqrt(Math.Max(0, squares / n - m * m));
    }

    /// <summary>Each row strip's grey level per pixel column, averaged over the strip's rows, then each column strip's per
    /// pixel row, averaged over its columns (the picture is whole cells: its side is the profile's length).</summary>
    private static void StripProfiles(Mat grey, int grid, Span<float> profiles)
    {
        var size = FrameSignals.ProfileLength(grid);
        var cell = size / grid;
        var step = grey.Step();
        var pixels = (byte*)grey.DataPointer;
        profiles.Clear();
        var rows = profiles[..(grid * size)];
        var columns = profiles[(grid * size)..];
        for (var y = 0; y < size; y++)
        {
            var line = new ReadOnlySpan<byte>(pixels + y * step, size);
            var rowProfile = rows.Slice(y / cell * size, size);
            for (var x = 0; x < size; x++)
            {
                rowProfile[x] += line[x];
                columns[x / cell * size + y] += line[x];
            }
        }
        foreach (ref var v in profiles) v /= cell;
    }

    /// <summary>
    /// Each region's (dx, dy): the least-squares motion of its pixels' flow weighed by their structure tensors, with the
    /// prior described above (see the class comment); the last row and column of regions take the pixels a division
    /// leaves over. Gradients are central differences of the earlier frame, so the picture's outermost pixels show no
    /// motion (they still count towards the prior).
    /// </summary>
    private static void RegionFlow(Mat flow, Mat earlier, Mat later, int size, int grid, Span<float> regions)
    {
        var cell = size / grid;
        var count = grid * grid;
        // Per region: the tensor's xx, xy, yy sums, the tensor-weighted flow's x and y sums, and the pixel count.
        Span<double> sums = stackalloc double[6 * count];
        sums.Clear();
        var (flowStep, earlierStep, laterStep) = (flow.Step(), earlier.Step(), later.Step());
        var flowData = (byte*)flow.DataPointer;
        var earlierData = (byte*)earlier.DataPointer;
        var laterData = (byte*)later.DataPointer;
        for (var y = 0; y < size; y++)
        {
            var regionRow = Math.Min(y / cell, grid - 1) * grid;
            var border = y == 0 || y == size - 1;
            var row = (float*)(earlierData + y * earlierStep);
            var above = border ? row : (float*)(earlierData + (y - 1) * earlierStep);
            var below = border ? row : (float*)(earlierData + (y + 1) * earlierStep);
            var flowRow = (float*)(flowData + y * flowStep);
            for (var x = 0; x < size; x++)
            {
                var sums6 = sums.Slice(6 * (regionRow + Math.Min(x / cell, grid - 1)), 6);
                sums6[5]++;
                if (border || x == 0 || x == size - 1) continue;
                var gx = (row[x + 1] - row[x - 1]) / 2;
                var gy = (below[x] - above[x]) / 2;
                var f = flowRow + 2 * x;
                if (!Matches(laterData, laterStep, size, x + f[0], y + f[1], row[x])) continue;
                var (xx, xy, yy) = ((double)gx * gx, (double)gx * gy, (double)gy * gy);
                sums6[0] += xx;
                sums6[1] += xy;
                sums6[2] += yy;
                sums6[3] += xx * f[0] + xy * f[1];
                sums6[4] += xy * f[0] + yy * f[1];
            }
        }
        for (var r = 0; r < count; r++)
        {
            var s = sums.Slice(6 * r, 6);
            var prior = OwnTextureShare * (s[0] + s[2]) + NoiseTexture * s[5];
            var (a, b, d) = (s[0] + prior, s[1], s[2] + prior);
            var determinant = a * d - b * b;
            if (determinant <= 0)
            {
                regions[2 * r] = regions[2 * r + 1] = 0;
                continue;
            }
            regions[2 * r] = (float)((d * s[3] - b * s[4]) / determinant);
            regions[2 * r + 1] = (float)((a * s[4] - b * s[3]) / determinant);
        }
    }

    /// <summary>Whether the later frame, sampled bilinearly at (<paramref name="x"/>, <paramref name="y"/>), is within
    /// <see cref="MaxResidual"/> of <paramref name="expected"/>; a point outside the picture matches nothing.</summary>
    private static bool Matches(byte* data, long step, int size, float x, float y, float expected)
    {
        if (!(x >= 0 && y >= 0 && x <= size - 1 && y <= size - 1)) return false; // also false for NaN
        var (x0, y0) = ((int)x, (int)y);
        var (x1, y1) = (Math.Min(x0 + 1, size - 1), Math.Min(y0 + 1, size - 1));
        var (fx, fy) = (x - x0, y - y0);
        var top = (float*)(data + y0 * step);
        var bottom = (float*)(data + y1 * step);
        var value = (1 - fy) * ((1 - fx) * top[x0] + fx * top[x1]) + fy * ((1 - fx) * bottom[x0] + fx * bottom[x1]);
        return MathF.Abs(value - expected) <= MaxResidual;
    }

    public void Dispose()
    {
        _previous.Dispose();
        _current.Dispose();
        _reference.Dispose();
        _matched.Dispose();
        _flow.Dispose();
        DisposeStrips();
        _rowWindow.Dispose();
        _columnWindow.Dispose();
    }
}
