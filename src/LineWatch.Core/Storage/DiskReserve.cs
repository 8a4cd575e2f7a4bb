using Microsoft.Extensions.Logging;

namespace LineWatch.Storage;

/// <summary>
/// Space kept for the database on its disk: a file of zeros beside it, written while the disk has room and deleted when
/// a write finds the disk full, so the alerts raised on a full disk are still recorded (history and outbox) until
/// someone frees space. Without it such an alert was published from memory only, and lost if the agent restarted before
/// the broker had it (docs/benchmarks.md, Soak). The file is written again once the disk has twice its size free, off
/// the caller's thread: the database's writes run on the inference thread.
/// </summary>
public sealed class DiskReserve
{
    public const string Suffix = ".reserve";

    private readonly long _bytes;
    private readonly ILogger _logger;
    private int _restoring;
    private volatile bool _released;

    public DiskReserve(string path, long bytes, ILogger logger)
    {
        if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "a reserve needs a size");
        (Path, _bytes, _logger) = (path, bytes, logger);
    }

    public string Path { get; }

    /// <summary>Whether the reserve's space is held now (its file is there, whole).</summary>
    public bool IsHeld
    {
        get
        {
            try
            {
                return new FileInfo(Path) is { Exists: true } file && file.Length == _bytes;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Writes the reserve when it is not held and the disk has at least twice its size free (taking the last free space
    /// would fill the disk it is meant to protect). A half-written file (the disk filled meanwhile) is deleted.
    /// Returns whether it is held.
    /// </summary>
    public bool Ensure()
    {
        if (IsHeld) return true;
        try
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
            if (new DriveInfo(folder).AvailableFreeSpace < 2 * _bytes) return false;
            var partial = Path + ".partial";
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                // Zeros written, not a sparse length: the blocks must really be taken from the disk.
                var block = new byte[64 * 1024];
                for (long written = 0; written < _bytes; written += block.Length)
                {
                    stream.Write(block, 0, (int)Math.Min(block.Length, _bytes - written));
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(partial, Path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(Path + ".partial");
            _logger.LogWarning("The disk reserve {Path} could not be written ({Reason}); a full disk will keep alerts out of the database", Path, e.Message);
            return false;
        }
    }

    /// <summary>Gives the reserve's space back to the disk. Returns whether there was any to give.</summary>
    public bool Release()
    {
        if (!File.Exists(Path)) return false;
        if (!TryDelete(Path)) return false;
        _released = true;
        _logger.LogError("The disk of {Folder} is full: the {Megabytes} MB reserve beside the database was given up so that alerts are still recorded. Free space there; the reserve is taken again once there is room",
            System.IO.Path.GetDirectoryName(Path), _bytes / (1024 * 1024.0));
        return true;
    }

    /// <summary>
    /// After a <see cref="Release"/>, tries <see cref="Ensure"/> in the background, one try at a time; for callers on a
    /// thread that must not wait for the disk. Does nothing while the reserve was not given up.
    /// </summary>
    public void RestoreIfReleased()
    {
        if (!_released || Interlocked.Exchange(ref _restoring, 1) == 1) return;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                if (Ensure())
                {
                    _released = false;
                    _logger.LogInformation("The disk reserve {Path} is held again", Path);
                }
            }
            finally
            {
                Volatile.Write(ref _restoring, 0);
            }
        }, null);
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
