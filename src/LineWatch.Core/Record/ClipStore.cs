using LineWatch.Configuration;
using Microsoft.Extensions.Logging;

namespace LineWatch.Record;

/// <summary>
/// Where event clips live: <c>DataDir/clips/CAMERA/ALERT-ID.mp4</c>, named only by the camera's configured name and
/// the alert's id (never by its source, which may hold a password). A clip being written is <c>ALERT-ID.mp4.part</c>
/// and renamed when complete, so a finished name is always a playable file. Retention: clips older than
/// <c>RetentionDays</c> go, then the oldest until all fit <c>MaxDiskMegabytes</c>; no clip starts, and one being
/// written stops, while the disk's free space is below <c>MinFreeDiskMegabytes</c>.
/// </summary>
public sealed class ClipStore
{
    private const string Extension = ".mp4", PartExtension = ".mp4.part";
    private readonly ClipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _pruning = new();
    private long _deleted;

    public ClipStore(string dataDir, ClipOptions options, ILogger<ClipStore> logger, TimeProvider? time = null)
    {
        Root = Path.Combine(dataDir, "clips");
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public string Root { get; }

    /// <summary>Raised with (camera, alert id) when a clip is complete and playable.</summary>
    public event Action<string, string>? Finished;

    /// <summary>Clips deleted by retention since the agent started.</summary>
    public long Deleted => Interlocked.Read(ref _deleted);

    /// <summary>Where the dashboard serves an alert's clip.</summary>
    public static string Link(string alertId) => $"/api/alerts/{alertId}/clip.mp4";

    public string PathOf(string camera, string alertId) => Path.Combine(Root, camera, alertId + Extension);
    public string PartPathOf(string camera, string alertId) => Path.Combine(Root, camera, alertId + PartExtension);

    /// <summary>The finished clip's path, or null (none recorded, still being written, or deleted by retention).</summary>
    public string? Find(string camera, string alertId) => PathOf(camera, alertId) is var path && File.Exists(path) ? path : null;

    /// <summary>Makes a written part the finished clip and tells who listens.</summary>
    public void Complete(string camera, string alertId)
    {
        File.Move(PartPathOf(camera, alertId), PathOf(camera, alertId), overwrite: true);
        Finished?.Invoke(camera, alertId);
    }

    /// <summary>The disk's free space in bytes where clips are written.</summary>
    public long FreeBytes()
    {
        Directory.CreateDirectory(Root);
        return new DriveInfo(Root).AvailableFreeSpace;
    }

    /// <summary>Whether a clip may be written now: enough free space left (after retention had its go).</summary>
    public bool HasRoom(out string reason)
    {
        Prune();
        var free = FreeBytes();
        var needed = _options.MinFreeDiskMegabytes * 1024 * 1024;
        reason = free < needed ? $"{free / (1024 * 1024)} MB free on the clips' disk, below Clips:MinFreeDiskMegabytes ({_options.MinFreeDiskMegabytes})" : "";
        return free >= needed;
    }

    /// <summary>Deletes clips past their days, then the oldest until the rest fit the cap; and parts left by a crash.</summary>
    public void Prune()
    {
        lock (_pruning)
        {
            if (!Directory.Exists(Root)) return;
            var now = _time.GetUtcNow().UtcDateTime;
            var clips = new DirectoryInfo(Root).EnumerateFiles("*" + Extension, SearchOption.AllDirectories)
                .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
            var total = clips.Sum(f => f.Length);
            var cap = _options.MaxDiskMegabytes * 1024 * 1024;
            var oldest = now - TimeSpan.FromDays(_options.RetentionDays);
            foreach (var clip in clips)
            {
                var expired = clip.LastWriteTimeUtc < oldest;
                if (!expired && total <= cap) break;
                var length = clip.Length; // read before the delete: a deleted file's FileInfo has none
                if (Delete(clip, expired ? "older than Clips:RetentionDays" : "over Clips:MaxDiskMegabytes")) total -= length;
            }
            // A part not written to for an hour belongs to no writer (the agent stopped while writing it).
            foreach (var part in new DirectoryInfo(Root).EnumerateFiles("*" + PartExtension, SearchOption.AllDirectories))
            {
                if (part.LastWriteTimeUtc < now - TimeSpan.FromHours(1)) Delete(part, "left unfinished");
            }
        }
    }

    /// <summary>Bytes all finished clips take.</summary>
    public long TotalBytes() => Directory.Exists(Root)
        ? new DirectoryInfo(Root).EnumerateFiles("*" + Extension, SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    private bool Delete(FileInfo file, string why)
    {
        try
        {
            file.Delete();
            Interlocked.Increment(ref _deleted);
            _logger.LogInformation("Clip {Clip} deleted: {Why}", Path.GetRelativePath(Root, file.FullName), why);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Clip {Clip} could not be deleted ({Why}): {Reason}", Path.GetRelativePath(Root, file.FullName), why, e.Message);
            return false;
        }
    }
}
