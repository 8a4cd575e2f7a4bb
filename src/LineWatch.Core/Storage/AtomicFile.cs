using System.Runtime.InteropServices;
using System.Text;
using LineWatch.Interop;

namespace LineWatch.Storage;

/// <summary>
/// Replaces a file so that, whatever happens (an exception, a crash, a power cut), it holds either its old contents
/// or the whole new ones: written to a temporary file in the same folder, flushed to disk, renamed over the old
/// file, and the folder flushed so the rename itself is on disk. Until <see cref="Commit"/> nothing is replaced,
/// and disposing without committing removes the temporary file.
/// </summary>
/// <example><code>
/// using var file = AtomicFile.Create(path);
/// file.Stream.Write(bytes);
/// file.Commit();
/// </code></example>
public sealed class AtomicFile : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly Action<string> _syncFolder;
    private readonly FileStream _stream;
    private bool _committed;

    internal AtomicFile(string path, Action<string> syncFolder, UnixFileMode? mode = null)
    {
        _path = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(folder);
        // A name of its own, so two writers of one file never write into each other's temporary file.
        _temporary = $"{_path}.{Guid.NewGuid().ToString("N")[..8]}.partial";
        _syncFolder = syncFolder;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } unixMode && !OperatingSystem.IsWindows()) options.UnixCreateMode = unixMode;
        _stream = new FileStream(_temporary, options);
    }

    /// <summary>Starts replacing <paramref name="path"/> (its folder is created if missing).</summary>
    /// <param name="mode">The new file's permissions from its first byte (e.g. the old file's, for one that holds
    /// passwords); null gives the process's default.</param>
    public static AtomicFile Create(string path, UnixFileMode? mode = null) => new(path, SyncFolder, mode);

    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> in UTF-8.</summary>
    public static void WriteAllText(string path, string contents, UnixFileMode? mode = null)
    {
        using var file = Create(path, mode);
        file.Stream.Write(Encoding.UTF8.GetBytes(contents));
        file.Commit();
    }

    /// <summary>Where the new contents go.</summary>
    public Stream Stream => _stream;

    /// <summary>Puts the new contents in place, durably; an IOException leaves the old file as it was.</summary>
    public void Commit()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _committed = true;
        _syncFolder(Path.GetDirectoryName(_path)!);
    }

    /// <summary>Flushes a folder's entries (names created, renamed, removed) to disk.</summary>
    internal static void SyncFolder(string folder)
    {
        var fd = LibcNative.Open(folder, LibcNative.OpenReadOnly);
        if (fd < 0) throw new IOException($"cannot open folder {folder} to flush it: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (LibcNative.FSync(fd) != 0) throw new IOException($"cannot flush folder {folder} to disk: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            LibcNative.Close(fd);
        }
    }

    public void Dispose()
    {
        if (_committed) return;
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // Flushing what was buffered failed (a full disk, say): those contents are being thrown away anyway.
        }
        File.Delete(_temporary);
    }
}
