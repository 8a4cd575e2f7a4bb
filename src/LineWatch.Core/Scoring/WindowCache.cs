using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using LineWatch.Capture;
using LineWatch.Configuration;
using LineWatch.Processing;

namespace LineWatch.Scoring;

/// <summary>
/// The backbone's output for every window of a video file, kept on disk so that learning and evaluation can be
/// run again after a scoring change in seconds instead of running the backbone again. A cache file is named
/// by what the backbone's output depends on — the video (path, size, time written), the model (SHA-256), the frame
/// preprocessing's version and the camera's sampling (fps, stride, settle time) — so a changed input never
/// reads stale windows. The frame signals beside them carry <see cref="FrameSignalProbe.Version"/>: when the probe
/// has changed, only the signals are measured again (decoding and the probe, no backbone), which turns a day of
/// recomputing a benchmark's caches into minutes. The values are the exact float32 outputs and frame signals, so
/// a cached run scores exactly as a live one.
/// </summary>
public static class WindowCache
{
    // The name's key still starts with the format before signal versions: the backbone part is laid out as then, and
    // keeping the key keeps those caches, whose signals are measured again on first use.
    private const string KeyTag = "LWWINDOWS2";
    private const string UnversionedMagic = "LWWINDOWS2"; // format 2: no signal version, so its signals count as stale
    private const string Magic = "LWWINDOWS3"; // + the embedding width and the FrameSignalProbe version of the signals

    /// <summary>Where the windows of <paramref name="video"/> are cached (the file format is part of the name, so
    /// caches written by an older agent are not read but computed again) in <paramref name="directory"/> for this model and sampling.</summary>
    public static string PathFor(string directory, string video, ModelIdentity model, CameraOptions camera)
    {
        var file = new FileInfo(video);
        var key = string.Join('|', KeyTag, FramePreprocessor.Version, file.FullName, file.Exists ? file.Length : -1, file.Exists ? file.LastWriteTimeUtc.Ticks : 0, model.Sha256,
            camera.AnalysisFps.ToString("R", System.Globalization.CultureInfo.InvariantCulture), camera.Stride,
            camera.SettleSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        return Path.Combine(directory, $"{Path.GetFileNameWithoutExtension(video)}-{hash}.windows");
    }

    /// <summary>
    /// Hands every window of the video to <paramref name="handler"/>: from the cache when it holds them, else
    /// through the backbone, writing the cache as it goes (under a temporary name, so an interrupted run leaves
    /// no partial cache behind). Without a cache directory it is exactly <see cref="VideoWindows.Run"/>.
    /// </summary>
    public static void Run(string? directory, string video, ModelIdentity model, BackboneRunner runner, CameraOptions camera,
        OfflineWindowHandler handler, double maxSeconds = double.PositiveInfinity)
    {
        if (directory is null)
        {
            VideoWindows.Run(video, runner, camera.AnalysisFps, camera.Stride, camera.SettleSeconds, handler, maxSeconds);
            return;
        }
        var path = PathFor(directory, video, model, camera);
        if (double.IsPositiveInfinity(maxSeconds) && File.Exists(path))
        {
            if (SignalsVersion(path, model) != FrameSignalProbe.Version) Resignal(path, video, model, runner.Shape, camera);
            Replay(path, model, handler);
            return;
        }
        Directory.CreateDirectory(directory);
        var partial = path + ".partial";
        using (var writer = new BinaryWriter(File.Create(partial)))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(model.Dim);
            writer.Write(FrameSignalProbe.Version);
            VideoWindows.Run(video, runner, camera.AnalysisFps, camera.Stride, camera.SettleSeconds, (in OfflineWindow w) =>
            {
                writer.Write(w.NewestFrame);
                writer.Write(w.Embedding.Length);
                writer.Write(w.Tokens.Length);
                writer.Write(w.Signals.Length);
                writer.Write(MemoryMarshal.AsBytes(w.Embedding));
                writer.Write(MemoryMarshal.AsBytes(w.Tokens));
                writer.Write(MemoryMarshal.AsBytes(w.Signals));
                handler(w);
            }, maxSeconds);
        }
        // A run cut short by maxSeconds is not the whole video: it is not kept.
        if (double.IsPositiveInfinity(maxSeconds)) File.Move(partial, path, overwrite: true);
        else File.Delete(partial);
    }

    /// <summary>The probe version of the cache's signals (0 for a cache written before signals had one).</summary>
    /// <exception cref="InvalidDataException">The file is not a window cache of this model.</exception>
    private static int SignalsVersion(string path, ModelIdentity model)
    {
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path, model);
    }

    /// <summary>Reads the header; returns the signals' probe version (0 in format 2).</summary>
    private static int ReadHeader(Stream stream, string path, ModelIdentity model)
    {
        Span<byte> magic = stackalloc byte[Magic.Length];
        if (stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) != magic.Length) throw new InvalidDataException($"{path}: not a LineWatch window cache");
        var format = Encoding.ASCII.GetString(magic);
        if (format != Magic && format != UnversionedMagic) throw new InvalidDataException($"{path}: not a LineWatch window cache");
        if (ReadInt(stream, path) != model.Dim) throw new InvalidDataException($"{path}: cached for another embedding width than {model}");
        return format == Magic ? ReadInt(stream, path) : 0;
    }

    /// <summary>
    /// Measures the signals of a cache written by another probe again and writes the cache anew with them (under a
    /// temporary name, then renamed over it): the backbone's outputs are copied as they are. The windows must be the
    /// same as the video's sampling gives, frame for frame, or the cache is refused.
    /// </summary>
    private static void Resignal(string path, string video, ModelIdentity model, Processing.ClipShape shape, CameraOptions camera)
    {
        var partial = path + ".partial";
        try
        {
            using (var source = new BufferedStream(File.OpenRead(path), 1 << 20))
            using (var writer = new BinaryWriter(File.Create(partial)))
            {
                ReadHeader(source, path, model);
                writer.Write(Encoding.ASCII.GetBytes(Magic));
                writer.Write(model.Dim);
                writer.Write(FrameSignalProbe.Version);
                var header = new byte[WindowHeader.Bytes];
                byte[] features = [], stale = [];
                VideoWindows.Signals(video, shape, camera.AnalysisFps, camera.Stride, camera.SettleSeconds, (frame, signals) =>
                {
                    if (!TryReadWindowHeader(source, header, path, model, out var cached))
                    {
                        throw new InvalidDataException($"{path}: ends before the window ending at frame {frame}; delete it to compute it again");
                    }
                    // The signals' length may differ (a probe that measures more); the frames must not.
                    if (cached.Frame != frame)
                    {
                        throw new InvalidDataException($"{path}: its windows are not the video's (frame {cached.Frame} where the video gives {frame}); delete it to compute it again");
                    }
                    var bytes = 4 * (cached.EmbeddingLength + cached.TokensLength);
                    if (features.Length != bytes) features = new byte[bytes];
                    if (stale.Length != 4 * cached.SignalsLength) stale = new byte[4 * cached.SignalsLength];
                    try
                    {
                        source.ReadExactly(features);
                        source.ReadExactly(stale);
                    }
                    catch (EndOfStreamException)
                    {
                        throw new InvalidDataException($"{path}: cut off in the window ending at frame {frame}; delete it to compute it again");
                    }
                    BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), signals.Length);
                    writer.Write(header);
                    writer.Write(features);
                    writer.Write(MemoryMarshal.AsBytes(signals));
                });
                if (source.ReadByte() != -1) throw new InvalidDataException($"{path}: holds more windows than the video gives; delete it to compute it again");
            }
        }
        catch
        {
            File.Delete(partial); // what was written is of no use, and the next run starts again from the cache
            throw;
        }
        File.Move(partial, path, overwrite: true);
    }

    /// <exception cref="InvalidDataException">The file is not a window cache of this model, or is damaged.</exception>
    private static void Replay(string path, ModelIdentity model, OfflineWindowHandler handler)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
        ReadHeader(stream, path, model);
        float[] embedding = [], tokens = [], signals = [];
        Span<byte> header = stackalloc byte[WindowHeader.Bytes];
        while (TryReadWindowHeader(stream, header, path, model, out var window))
        {
            var (frame, embeddingLength, tokensLength, signalsLength) = window;
            if (embedding.Length != embeddingLength) embedding = new float[embeddingLength];
            if (tokens.Length != tokensLength) tokens = new float[tokensLength];
            if (signals.Length != signalsLength) signals = new float[signalsLength];
            try
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(embedding.AsSpan()));
                stream.ReadExactly(MemoryMarshal.AsBytes(tokens.AsSpan()));
                stream.ReadExactly(MemoryMarshal.AsBytes(signals.AsSpan()));
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"{path}: cut off in the window ending at frame {frame}; delete it to compute it again");
            }
            handler(new OfflineWindow(frame, embedding, tokens, signals));
        }
    }

    /// <summary>A cached window's header: the frame that ends it and the lengths of what follows, in floats.</summary>
    private readonly record struct WindowHeader(int Frame, int EmbeddingLength, int TokensLength, int SignalsLength)
    {
        public const int Bytes = 16;
    }

    /// <summary>Reads the next window's header; false at the end of the file.</summary>
    /// <exception cref="InvalidDataException">The file ends inside the header, or the sizes are not this model's.</exception>
    private static bool TryReadWindowHeader(Stream stream, Span<byte> buffer, string path, ModelIdentity model, out WindowHeader header)
    {
        header = default;
        var read = stream.ReadAtLeast(buffer[..WindowHeader.Bytes], WindowHeader.Bytes, throwOnEndOfStream: false);
        if (read == 0) return false;
        if (read < WindowHeader.Bytes) throw new InvalidDataException($"{path}: cut off in a window header");
        header = new WindowHeader(BinaryPrimitives.ReadInt32LittleEndian(buffer), BinaryPrimitives.ReadInt32LittleEndian(buffer[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(buffer[8..]), BinaryPrimitives.ReadInt32LittleEndian(buffer[12..]));
        if (header.EmbeddingLength != model.Dim || header.TokensLength <= 0 || header.TokensLength % model.Dim != 0 || header.SignalsLength is < 0 or > 1 << 20)
        {
            throw new InvalidDataException($"{path}: a window of unexpected size");
        }
        return true;
    }

    private static int ReadInt(Stream stream, string path)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (stream.ReadAtLeast(bytes, 4, throwOnEndOfStream: false) != 4) throw new InvalidDataException($"{path}: cut off in its header");
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }
}
