using System.Runtime.InteropServices;
using System.Text;
using LineWatch.Interop;

namespace LineWatch.Capture;

/// <summary>The OpenCV build the agent runs on: its version and the videoio backends it can decode with.</summary>
public static unsafe class OpenCvInfo
{
    public static string Version => Marshal.PtrToStringUTF8((nint)OpenCvNative.Version()) ?? "unknown";

    public static IReadOnlyList<string> VideoBackends()
    {
        Span<byte> buffer = stackalloc byte[1024];
        fixed (byte* p = buffer)
        {
            if (OpenCvNative.VideoBackends(p, buffer.Length) != OpenCvNative.Ok)
            {
                throw new InvalidOperationException(OpenCvNative.LastErrorMessage());
            }
            var text = Marshal.PtrToStringUTF8((nint)p) ?? "";
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        }
    }
}
