using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using LineWatch.Storage;

namespace LineWatch.Scoring;

/// <summary>
/// Every camera's profile versions, kept beside the profile the agent scores with:
/// <code>
/// DataDir/profiles/line.profile              the current profile (the scorer watches this file)
/// DataDir/profiles/line.versions/000007.profile   version 7's profile, read-only, never changed
/// DataDir/profiles/line.versions/000007.json      version 7's metadata (a version exists once this is written)
/// </code>
/// A new version is written in this order, each step through <see cref="AtomicFile"/>: its profile, its metadata,
/// then a copy over the current profile. A crash at any point leaves the old current profile or the new one whole;
/// <see cref="Reconcile"/> (run before every change and at agent start) finishes or records what it finds: a
/// version whose copy never happened is made current, a profile without metadata is removed, and a current profile
/// no version matches (one from before versions existed, or copied in by hand) becomes a new version, "imported".
/// Writers of one camera (the agent, a CLI in another process) take turns through a lock file. The oldest
/// versions beyond <c>keep</c> are deleted; the current one never is.
/// </summary>
public sealed class ProfileVersionStore(string dataDir, int keep)
{
    private const string LockName = "lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    /// <summary>How version metadata is written (files, CLI --json): snake_case, indented.</summary>
    public static readonly JsonSerializerOptions MetadataJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
    private readonly Dictionary<string, (DateTime Written, long Length, string Sha256)> _hashes = [];

    public int Keep { get; } = keep;

    public static string VersionsDirectory(string dataDir, string camera) => Path.Combine(ProfileStore.Directory(dataDir), camera + ".versions");

    /// <summary>The camera's versions, oldest first, as they are on disk (nothing is repaired: see <see cref="Reconcile"/>).</summary>
    public IReadOnlyList<ProfileVersion> List(string camera)
    {
        var folder = VersionsDirectory(dataDir, camera);
        if (!Directory.Exists(folder)) return [];
        var versions = new List<ProfileVersion>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.json"))
        {
            if (!TryParseId(path, out _)) continue;
            var version = JsonSerializer.Deserialize<ProfileVersion>(File.ReadAllText(path), MetadataJson)
                ?? throw new InvalidDataException($"{path}: empty version metadata");
            versions.Add(version);
        }
        versions.Sort((a, b) => a.Id.CompareTo(b.Id));
        return versions;
    }

    /// <summary>One version, or an exception that names the camera and the version asked for.</summary>
    public ProfileVersion Find(string camera, int id) =>
        List(camera).FirstOrDefault(v => v.Id == id) ?? throw new ProfileVersionException(NoSuchVersion(camera, id));

    /// <summary>The version the camera's current profile file is (by its hash), or null when none matches or there is no file.</summary>
    public ProfileVersion? Current(string camera)
    {
        var live = ProfileStore.PathFor(dataDir, camera);
        if (!File.Exists(live)) return null;
        var sha = Hash(live);
        return List(camera).LastOrDefault(v => v.Sha256 == sha);
    }

    /// <summary>Loads a version's profile, refusing one whose file no longer matches its recorded hash.</summary>
    public NormalProfile Load(string camera, int id)
    {
        var version = Find(camera, id);
        var path = ProfilePath(camera, id);
        if (!File.Exists(path)) throw new ProfileVersionException($"camera {camera}: version {id}'s profile file is missing ({path})");
        if (Hash(path) != version.Sha256) throw new InvalidDataException($"{path} does not match version {id}'s recorded hash: the file was changed or damaged");
        return NormalProfile.Load(path);
    }

    /// <summary>Records <paramref name="profile"/> as the camera's new version and makes it current.</summary>
    public ProfileVersion Commit(NormalProfile profile, ProfileChange change)
    {
        using var turn = Lock(profile.Camera);
        var parent = ReconcileHeld(profile.Camera);
        return Write(profile.Camera, parent, change, profile.Write, profile, parent?.Calibration);
    }

    /// <summary>
    /// Adds an operator's false-alarm windows to the camera's current profile as a new version; the profile is
    /// loaded inside the camera's turn, so a rollback in between cannot be lost.
    /// </summary>
    /// <exception cref="ProfileVersionException">The camera has no profile yet.</exception>
    public ProfileVersion CommitFeedback(string camera, ProfileChange change, Action<NormalProfile> addWindows)
    {
        using var turn = Lock(camera);
        var parent = ReconcileHeld(camera) ?? throw new ProfileVersionException($"camera {camera} has no profile to add feedback to; learn it first");
        var profile = NormalProfile.Load(ProfilePath(camera, parent.Id));
        addWindows(profile);
        return Write(camera, parent, change, profile.Write, profile, parent.Calibration);
    }

    /// <summary>Makes an earlier version current again, as a new version (history only grows).</summary>
    /// <exception cref="ProfileVersionException">No such version, or it is already current.</exception>
    public ProfileVersion Rollback(string camera, int id, string by, string? detail = null, string? alertId = null)
    {
        using var turn = Lock(camera);
        var current = ReconcileHeld(camera);
        var target = List(camera).FirstOrDefault(v => v.Id == id) ?? throw new ProfileVersionException(NoSuchVersion(camera, id));
        if (current?.Sha256 == target.Sha256) throw new ProfileVersionException($"camera {camera}: version {id} is already the current profile (version {current.Id})");
        var source = ProfilePath(camera, id);
        if (Hash(source) != target.Sha256) throw new InvalidDataException($"{source} does not match version {id}'s recorded hash: the file was changed or damaged");
        var change = new ProfileChange(ProfileSource.Rollback, by, detail ?? $"rollback to version {id}", alertId);
        var version = Write(camera, current, change, stream => CopyFrom(source, stream), profile: null, target.Calibration, target);
        return version;
    }

    /// <summary>
    /// Undoes an operator's false-alarm feedback: the version that feedback made must still be current, and the
    /// version before it comes back (as a new version). Anything learned since would be lost, so that is refused.
    /// </summary>
    public ProfileVersion UndoFeedback(string camera, string alertId, string by)
    {
        ProfileVersion feedback;
        using (Lock(camera))
        {
            var current = ReconcileHeld(camera);
            feedback = List(camera).LastOrDefault(v => v.Source == ProfileSource.Feedback && v.AlertId == alertId)
                ?? throw new ProfileVersionException($"camera {camera}: no profile version came from feedback on alert {alertId}");
            if (current?.Id != feedback.Id)
            {
                throw new ProfileVersionException($"camera {camera}: the feedback on alert {alertId} made version {feedback.Id}, but version {current?.Id} is current now; " +
                    $"roll back to version {feedback.Parent} explicitly if that is what you want");
            }
            if (feedback.Parent is null) throw new ProfileVersionException($"camera {camera}: version {feedback.Id} has no earlier version to go back to");
        }
        // The lock is taken again by Rollback: the check above may be overtaken, but Rollback's own checks still hold.
        return Rollback(camera, feedback.Parent.Value, by, $"undo of the false-alarm feedback on alert {alertId} (back to version {feedback.Parent})", alertId);
    }

    /// <summary>Repairs and records what a crash or an outside writer left (see the class summary); returns the current version, or null without a profile.</summary>
    public ProfileVersion? Reconcile(string camera)
    {
        using var turn = Lock(camera);
        return ReconcileHeld(camera);
    }

    private ProfileVersion? ReconcileHeld(string camera)
    {
        var folder = VersionsDirectory(dataDir, camera);
        var versions = List(camera);
        RemoveLeftovers(folder, versions);
        var live = ProfileStore.PathFor(dataDir, camera);
        var latest = versions.LastOrDefault();
        if (!File.Exists(live))
        {
            if (latest is null) return null;
            // The current copy is gone (removed by hand, or never made): the newest version is what the camera had.
            CopyToLive(camera, latest.Id);
            return latest;
        }
        var sha = Hash(live);
        if (latest?.Sha256 == sha) return latest;
        if (latest is not null && versions.Any(v => v.Sha256 == sha))
        {
            // An older version is in place: a new version was written but the crash came before its copy.
            CopyToLive(camera, latest.Id);
            return latest;
        }
        return Import(camera, live, latest);
    }

    /// <summary>Profiles whose metadata was never written (a crash between the two) and temporary files of torn writes.</summary>
    private void RemoveLeftovers(string folder, IReadOnlyList<ProfileVersion> versions)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".partial", StringComparison.Ordinal)
                || name.EndsWith(".profile", StringComparison.Ordinal) && TryParseId(path, out var id) && versions.All(v => v.Id != id))
            {
                File.Delete(path);
            }
        }
    }

    private ProfileVersion? Import(string camera, string live, ProfileVersion? latest)
    {
        NormalProfile profile;
        try
        {
            profile = NormalProfile.Load(live);
        }
        catch (InvalidDataException)
        {
            // Not a profile the agent can use: the scorer reports why; there is nothing worth keeping as a version.
            return latest;
        }
        var change = new ProfileChange(ProfileSource.Imported, "agent", latest is null
            ? $"{Path.GetFileName(live)} as found, from before profile versions were kept"
            : $"{Path.GetFileName(live)} was replaced outside the version store");
        return Write(camera, latest, change, stream => CopyFrom(live, stream), profile, inherited: null, liveIsCurrent: true);
    }

    /// <param name="write">Writes the new version's profile file.</param>
    /// <param name="profile">The profile written, for its window counts and thresholds; null to take them from <paramref name="restored"/>.</param>
    /// <param name="inherited">The calibration figures to carry when the change did not calibrate.</param>
    /// <param name="liveIsCurrent">The current profile file already holds these bytes (an import): no copy.</param>
    private ProfileVersion Write(string camera, ProfileVersion? parent, ProfileChange change, Action<Stream> write, NormalProfile? profile,
        ProfileCalibration? inherited, ProfileVersion? restored = null, bool liveIsCurrent = false)
    {
        var folder = VersionsDirectory(dataDir, camera);
        Directory.CreateDirectory(folder);
        var id = Math.Max(parent?.Id ?? 0, List(camera).LastOrDefault()?.Id ?? 0) + 1;
        var path = ProfilePath(camera, id);
        // Ids are never reused: a file of this id can only be a leftover, which Reconcile removed under this same lock.
        if (File.Exists(path)) throw new IOException($"{path} already exists; version {id} is not written over");
        using (var file = AtomicFile.Create(path))
        {
            write(file.Stream);
            file.Commit();
        }
        MakeReadOnly(path);
        var version = Describe(camera, id, parent, change, profile, inherited, restored, path);
        var metadata = MetadataPath(camera, id);
        AtomicFile.WriteAllText(metadata, JsonSerializer.Serialize(version, MetadataJson));
        MakeReadOnly(metadata);
        if (!liveIsCurrent) CopyToLive(camera, id);
        ApplyRetention(camera);
        return version;
    }

    private ProfileVersion Describe(string camera, int id, ProfileVersion? parent, ProfileChange change, NormalProfile? profile, ProfileCalibration? inherited,
        ProfileVersion? restored, string path)
    {
        var learned = change.Learned;
        var calibration = profile is null ? restored!.Calibration : new ProfileCalibration(profile.LocalThreshold, profile.MotionThreshold, profile.LightingThreshold,
            change.Margin ?? inherited?.Margin, Finite(learned?.HeldOutLocal) ?? inherited?.HeldOutLocal,
            Finite(learned?.HeldOutMotion) ?? inherited?.HeldOutMotion, Finite(learned?.LargestLightingChange) ?? inherited?.LargestLightingChange,
            Finite(profile.SpeedThreshold), Finite(learned?.HeldOutSpeed) ?? inherited?.HeldOutSpeed,
            Finite(profile.ShiftThreshold), Finite(learned?.HeldOutShift) ?? inherited?.HeldOutShift,
            Finite(profile.PatternThreshold), Finite(learned?.HeldOutPattern) ?? inherited?.HeldOutPattern);
        return new ProfileVersion(id, camera, DateTimeOffset.UtcNow, change.Source, change.By, change.Detail, change.AlertId, parent?.Id, restored?.Id,
            profile?.Windows ?? restored!.Windows, learned?.FittedWindows ?? restored?.FittedWindows, learned?.HeldOutWindows ?? restored?.HeldOutWindows,
            profile?.FeedbackWindows ?? restored!.FeedbackWindows, change.Footage ?? restored?.Footage ?? [], calibration,
            profile?.Model.ToString() ?? restored!.Model, Hash(path), new FileInfo(path).Length);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>Deletes the oldest versions beyond <see cref="Keep"/>: metadata first, so a half-deleted version is a leftover, not a version without its profile.</summary>
    private void ApplyRetention(string camera)
    {
        var versions = List(camera);
        foreach (var old in versions.Take(Math.Max(0, versions.Count - Keep)))
        {
            File.Delete(MetadataPath(camera, old.Id));
            File.Delete(ProfilePath(camera, old.Id));
        }
    }

    private void CopyToLive(string camera, int id)
    {
        var source = ProfilePath(camera, id);
        using var file = AtomicFile.Create(ProfileStore.PathFor(dataDir, camera));
        CopyFrom(source, file.Stream);
        file.Commit();
    }

    private static void CopyFrom(string path, Stream destination)
    {
        using var source = File.OpenRead(path);
        source.CopyTo(destination);
    }

    /// <summary>The file's SHA-256, remembered per (path, write time, length): the current profile is hashed once per change, not per question.</summary>
    private string Hash(string path)
    {
        var info = new FileInfo(path);
        lock (_hashes)
        {
            if (_hashes.TryGetValue(path, out var known) && known.Written == info.LastWriteTimeUtc && known.Length == info.Length) return known.Sha256;
        }
        string sha;
        using (var stream = File.OpenRead(path)) sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        lock (_hashes) _hashes[path] = (info.LastWriteTimeUtc, info.Length, sha);
        return sha;
    }

    /// <summary>A version is never written again; read-only says so to anyone with a shell (the agent runs on Linux only).</summary>
    private static void MakeReadOnly(string path)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>The camera's turn to change its versions, across processes (the agent and a CLI command): an exclusive lock on a file, waited for.</summary>
    private IDisposable Lock(string camera)
    {
        var folder = VersionsDirectory(dataDir, camera);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, LockName);
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            catch (IOException e)
            {
                throw new IOException($"camera {camera}: another process has held the profile versions' lock ({path}) for {LockTimeout.TotalSeconds:0} s: {e.Message}", e);
            }
        }
    }

    private string ProfilePath(string camera, int id) => Path.Combine(VersionsDirectory(dataDir, camera), FileStem(id) + ".profile");
    private string MetadataPath(string camera, int id) => Path.Combine(VersionsDirectory(dataDir, camera), FileStem(id) + ".json");
    private static string FileStem(int id) => id.ToString("D6", CultureInfo.InvariantCulture);

    private static bool TryParseId(string path, out int id) =>
        int.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static string NoSuchVersion(string camera, int id) => $"camera {camera} has no profile version {id}";
}
