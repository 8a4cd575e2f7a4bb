using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LineWatch.IntegrationTests.Support;

/// <summary>What Debian's ffprobe says of a video file: the container, and the first video stream with its frames counted by decoding them.</summary>
internal sealed record VideoProbe(string Format, string Codec, int Width, int Height, int Frames, double Seconds)
{
    public static VideoProbe Of(string path)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames:format=format_name,duration", "-of", "json", path])
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var json = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"ffprobe {path} failed: {errors}");
        var root = JsonDocument.Parse(json).RootElement;
        var stream = root.GetProperty("streams")[0];
        var format = root.GetProperty("format");
        return new VideoProbe(format.GetProperty("format_name").GetString()!, stream.GetProperty("codec_name").GetString()!,
            stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32(),
            int.Parse(stream.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture),
            double.Parse(format.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture));
    }

    /// <summary>The top-level MP4 boxes in file order (a faststart file has its index, moov, before the media, mdat).</summary>
    public static List<string> TopLevelBoxes(string path)
    {
        using var file = File.OpenRead(path);
        var boxes = new List<string>();
        var header = new byte[16];
        while (file.Position + 8 <= file.Length)
        {
            var start = file.Position;
            file.ReadExactly(header, 0, 8);
            long size = (uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]);
            boxes.Add(System.Text.Encoding.ASCII.GetString(header, 4, 4));
            if (size == 1)
            {
                file.ReadExactly(header, 8, 8);
                size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8));
            }
            if (size < 8) break;
            file.Position = start + size;
        }
        return boxes;
    }
}
