using System.Runtime.InteropServices;

namespace LineWatch.Interop;

/// <summary>P/Invoke declarations for liblinewatch_cv (src/native/cvshim/cvshim.h). Keep in step with that header.</summary>
internal static unsafe partial class OpenCvNative
{
    private const string Library = "linewatch_cv";

    public const int Ok = 0;
    public const int EndOfStream = 1;
    public const int ErrorArgument = -1;
    public const int ErrorOpen = -2;
    public const int ErrorBuffer = -3;
    public const int ErrorOpenCv = -4;

    [StructLayout(LayoutKind.Sequential)]
    public struct CaptureInfo
    {
        public int Width;
        public int Height;
        public double Fps;
        public double FrameCount;
        public fixed byte Backend[32];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Frame
    {
        public byte* Data;
        public int Width;
        public int Height;
        public int Stride;
        public double PositionMs;
    }

    [LibraryImport(Library, EntryPoint = "lwcv_last_error")]
    public static partial byte* LastError();

    [LibraryImport(Library, EntryPoint = "lwcv_version")]
    public static partial byte* Version();

    [LibraryImport(Library, EntryPoint = "lwcv_video_backends")]
    public static partial int VideoBackends(byte* buffer, int capacity);

    [LibraryImport(Library, EntryPoint = "lwcv_capture_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int CaptureOpen(string source, int openTimeoutMs, int readTimeoutMs, out nint capture);

    [LibraryImport(Library, EntryPoint = "lwcv_capture_info_get")]
    public static partial int CaptureInfoGet(nint capture, out CaptureInfo info);

    [LibraryImport(Library, EntryPoint = "lwcv_capture_read")]
    public static partial int CaptureRead(nint capture, out Frame frame);

    [LibraryImport(Library, EntryPoint = "lwcv_capture_release")]
    public static partial void CaptureRelease(nint capture);

    [LibraryImport(Library, EntryPoint = "lwcv_preprocess")]
    public static partial int Preprocess(byte* bgr, int width, int height, int stride, int outWidth, int outHeight,
        float* mean, float* std, float* dst);

    [LibraryImport(Library, EntryPoint = "lwcv_resize_bgr")]
    public static partial int ResizeBgr(byte* bgr, int width, int height, int stride, byte* dst, int dstWidth, int dstHeight);

    [LibraryImport(Library, EntryPoint = "lwcv_jpeg_encode")]
    public static partial int JpegEncode(byte* bgr, int width, int height, int stride, int quality, byte* dst,
        int capacity, out int written);

    public static string LastErrorMessage() => Marshal.PtrToStringUTF8((nint)LastError()) ?? "unknown OpenCV shim error";
}
