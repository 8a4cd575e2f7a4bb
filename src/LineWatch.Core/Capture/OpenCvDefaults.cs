using LineWatch.Interop;
using OpenCvSharp;

namespace LineWatch.Capture;

/// <summary>
/// Process-wide OpenCV settings, applied once before the first capture opens. Each yields to the variable a user
/// set for it, so OpenCV's and FFmpeg's usual environment variables still work for troubleshooting.
/// </summary>
internal static class OpenCvDefaults
{
    private static readonly Lock Gate = new();
    private static bool _applied;

    public static void Apply()
    {
        lock (Gate)
        {
            if (_applied) return;
            // OpenCV and FFmpeg print to stderr on their own (a damaged stream makes FFmpeg print a line per broken
            // macroblock, into the service's journal). The agent reports every failure through its own log, so both
            // stay quiet unless asked: OPENCV_LOG_LEVEL, OPENCV_FFMPEG_LOGLEVEL or OPENCV_FFMPEG_DEBUG.
            if (Environment.GetEnvironmentVariable("OPENCV_FFMPEG_DEBUG") is null)
            {
                Set("OPENCV_FFMPEG_LOGLEVEL", "-8"); // AV_LOG_QUIET
            }
            if (Environment.GetEnvironmentVariable("OPENCV_LOG_LEVEL") is null) Cv2.SetLogLevel(LogLevel.SILENT);
            _applied = true;
        }
    }

    /// <summary>Sets a variable for native code unless the user already set it.</summary>
    private static void Set(string name, string value)
    {
        if (LibcNative.SetEnv(name, value, overwrite: false) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed: error {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }
}
