using LineWatch.Interop;

namespace LineWatch.Capture;

/// <summary>
/// Turns a BGR frame into the model's input layout: resized, RGB, ImageNet-normalised, planar CHW float32,
/// written straight into a caller-owned buffer (a slot of the camera's frame window), so nothing is allocated.
/// </summary>
public static unsafe class FramePreprocessor
{
    // ImageNet statistics, RGB order, on the 0..1 scale; VideoMamba was trained with these.
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    public static void Normalize(in VideoFrame frame, int outWidth, int outHeight, Span<float> destination)
    {
        var needed = 3 * outWidth * outHeight;
        if (destination.Length < needed)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {needed} are needed for 3x{outHeight}x{outWidth}", nameof(destination));
        }
        int status;
        fixed (float* mean = Mean, std = Std, dst = destination)
        {
            status = OpenCvNative.Preprocess(frame.Data, frame.Width, frame.Height, frame.Stride, outWidth, outHeight, mean, std, dst);
        }
        if (status != OpenCvNative.Ok) throw new VideoSourceException(OpenCvNative.LastErrorMessage());
    }

    /// <summary>A small BGR copy of the frame (packed rows) for snapshots, written into a caller-owned buffer.</summary>
    public static void Thumbnail(in VideoFrame frame, int width, int height, Span<byte> destination)
    {
        if (destination.Length < width * height * 3) throw new ArgumentException($"destination holds {destination.Length} bytes; {width * height * 3} are needed", nameof(destination));
        int status;
        fixed (byte* dst = destination)
        {
            status = OpenCvNative.ResizeBgr(frame.Data, frame.Width, frame.Height, frame.Stride, dst, width, height);
        }
        if (status != OpenCvNative.Ok) throw new VideoSourceException(OpenCvNative.LastErrorMessage());
    }
}
