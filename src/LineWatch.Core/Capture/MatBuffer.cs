using OpenCvSharp;
using OpenCvSharp.Internal;

namespace LineWatch.Capture;

/// <summary>
/// A Mat written again and again (a decoded frame, a resize target) with OpenCV's InputArray and OutputArray proxies
/// for it made once. OpenCvSharp's Cv2 functions wrap a Mat argument in a new proxy object on every call (about 100
/// bytes of garbage each); calling the same native functions with these lasting proxies keeps the capture hot path
/// free of managed allocation. A proxy refers to the Mat object, not to its pixels, so it stays valid when OpenCV
/// reallocates them for a new size.
/// </summary>
internal sealed class MatBuffer : IDisposable
{
    private nint _input, _output;

    public MatBuffer() : this(new Mat())
    {
    }

    private MatBuffer(Mat mat)
    {
        Mat = mat;
        NativeMethods.HandleException(NativeMethods.core_InputArray_new_byMat(Mat.CvPtr, out _input));
        NativeMethods.HandleException(NativeMethods.core_OutputArray_new_byMat(Mat.CvPtr, out _output));
    }

    /// <summary>A rectangle of <paramref name="parent"/>'s pixels as they are now (it shares them; it does not follow
    /// the parent if OpenCV later gives the parent new pixels, so make it again after a change of size).</summary>
    public static MatBuffer View(MatBuffer parent, Rect area) => new(new Mat(parent.Mat, area));

    public Mat Mat { get; }

    /// <summary>OpenCV's InputArray and OutputArray proxies of <see cref="Mat"/>, for native calls that take them.</summary>
    public nint Input => _input;
    public nint Output => _output;

    /// <summary>Resizes <paramref name="source"/> into this Mat with area averaging (the right filter for shrinking).</summary>
    /// <exception cref="OpenCVException">OpenCV refused (e.g. an empty source).</exception>
    public void ResizeFrom(MatBuffer source, int width, int height)
    {
        NativeMethods.HandleException(NativeMethods.imgproc_resize(source._input, _output, new Size(width, height), 0, 0, (int)InterpolationFlags.Area));
        GC.KeepAlive(source);
        GC.KeepAlive(this);
    }

    /// <summary>Converts this Mat in place (OpenCV swaps in a new pixel buffer; the Mat object stays the same).</summary>
    public void Convert(ColorConversionCodes code)
    {
        NativeMethods.HandleException(NativeMethods.imgproc_cvtColor(_input, _output, (int)code, 0));
        GC.KeepAlive(this);
    }

    /// <summary>Converts <paramref name="source"/> into this Mat (e.g. BGR to grey).</summary>
    public void ConvertFrom(MatBuffer source, ColorConversionCodes code)
    {
        NativeMethods.HandleException(NativeMethods.imgproc_cvtColor(source._input, _output, (int)code, 0));
        GC.KeepAlive(source);
        GC.KeepAlive(this);
    }

    /// <summary>Writes <paramref name="source"/> times <paramref name="gain"/> into this Mat as 32-bit floats (not rounded
    /// back to 8 bits, whose steps would read as motion on faint texture).</summary>
    public void ScaleFrom(MatBuffer source, double gain)
    {
        NativeMethods.HandleException(NativeMethods.core_Mat_convertTo(source.Mat.CvPtr, _output, MatType.CV_32FC1, gain, 0));
        GC.KeepAlive(source);
        GC.KeepAlive(this);
    }

    public void Dispose()
    {
        if (_input != 0) NativeMethods.HandleException(NativeMethods.core_InputArray_delete(_input));
        if (_output != 0) NativeMethods.HandleException(NativeMethods.core_OutputArray_delete(_output));
        _input = _output = 0;
        Mat.Dispose();
    }
}
