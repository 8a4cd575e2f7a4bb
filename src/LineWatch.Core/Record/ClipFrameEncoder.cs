using LineWatch.Capture;
using OpenCvSharp;
using OpenCvSharp.Internal;
using OpenCvSharp.Internal.Vectors;

namespace LineWatch.Record;

/// <summary>
/// Turns a captured frame into a clip frame on the capture thread: scaled to the clip's size (in the source's reused
/// Mat for that size), the heatmap optionally burnt in, JPEG-encoded into one native buffer that is reused for every
/// frame. OpenCvSharp's <c>Cv2.ImEncode</c> returns a new managed array per call; the native call behind it, with
/// a lasting output vector and parameter array, does not allocate on the managed heap.
/// </summary>
internal sealed unsafe class ClipFrameEncoder(int quality) : IDisposable
{
    private readonly VectorOfByte _jpeg = new();
    private readonly int[] _parameters = [(int)ImwriteFlags.JpegQuality, quality];

    /// <summary>
    /// The frame as JPEG, valid until the next call. Call it after everything else that reads the frame: with the
    /// heatmap on, the picture at the clip's size is drawn on in place.
    /// </summary>
    /// <exception cref="VideoSourceException">OpenCV could not scale or encode the frame.</exception>
    public ReadOnlySpan<byte> Encode(in VideoFrame frame, int width, int height, HeatmapOverlay? overlay)
    {
        var buffers = frame.Buffers;
        try
        {
            var image = buffers.Decoded;
            if (width != frame.Width || height != frame.Height)
            {
                image = buffers.Resized(width, height);
                image.ResizeFrom(buffers.Decoded, width, height);
            }
            overlay?.Draw(image.Mat.DataPointer, width, height, image.Mat.Step());
            NativeMethods.HandleException(NativeMethods.imgcodecs_imencode_vector(".jpg", image.Input, _jpeg.CvPtr, _parameters, _parameters.Length, out var encoded));
            GC.KeepAlive(image);
            if (encoded == 0) throw new VideoSourceException($"the JPEG encoder refused a {width}x{height} clip frame");
            return new ReadOnlySpan<byte>((void*)_jpeg.ElemPtr, _jpeg.Size);
        }
        catch (OpenCvSharpException e)
        {
            throw new VideoSourceException($"clip frame {frame.Width}x{frame.Height} to {width}x{height}: {e.Message}");
        }
    }

    public void Dispose() => _jpeg.Dispose();
}
