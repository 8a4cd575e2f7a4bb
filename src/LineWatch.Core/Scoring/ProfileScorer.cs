using LineWatch.Configuration;
using LineWatch.Processing;
using Microsoft.Extensions.Logging;

namespace LineWatch.Scoring;

/// <summary>
/// The live scorer: each camera's profile from DataDir/profiles, loaded and fitted off the inference thread
/// and swapped in whole, and reloaded when the file changes (a new `linewatch learn`, or feedback) without
/// a restart. A camera without a usable profile is not scored (its windows carry no score), with the reason
/// logged once per file version. Which profile version a loaded file is comes from its hash (<see cref="ProfileVersionStore.Current"/>).
/// Indexed by camera slot: a camera added while the agent runs is given its slot by <see cref="Open"/>.
/// </summary>
public sealed class ProfileScorer : IWindowScorer, IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    private readonly string _dataDir;
    private readonly ModelIdentity _model;
    private readonly ILogger _logger;
    private readonly Slot?[] _slots;
    private readonly ProfileVersionStore? _versions;
    private readonly Timer _timer;
    private readonly float[] _scratch;
    private float[] _map = [];
    // The timer and a camera joining may both reload; a slot's file is read by one of them at a time.
    private readonly Lock _reloading = new();

    private sealed class Slot(CameraOptions camera)
    {
        public string Camera { get; } = camera.Name;
        public double WindowsPerSecond { get; } = camera.WindowsPerSecond();
        public volatile CameraScorer? Scorer;
        public volatile IReadOnlyList<RegionOptions> Regions = camera.Regions.ToArray();
        public volatile ProfileVersion? Version;
        public DateTime LoadedWriteTime;
    }

    /// <param name="cameras">The cameras in slots 0..n-1.</param>
    /// <param name="versions">Where to look up which version a loaded profile is; null to not say.</param>
    /// <param name="capacity">How many camera slots (<see cref="CameraSlots.Capacity"/>); at least the cameras given.</param>
    public ProfileScorer(string dataDir, IReadOnlyList<CameraOptions> cameras, ModelIdentity model, ILogger<ProfileScorer> logger, ProfileVersionStore? versions = null,
        int capacity = 0)
    {
        _versions = versions;
        _dataDir = dataDir;
        _model = model;
        _logger = logger;
        _slots = new Slot?[Math.Max(capacity, cameras.Count)];
        for (var i = 0; i < cameras.Count; i++) _slots[i] = new Slot(cameras[i]);
        _scratch = new float[Math.Max(CameraScorer.ScratchLength(model), 1024)];
        Reload();
        _timer = new Timer(_ => Reload(), null, CheckEvery, CheckEvery);
    }

    /// <summary>The profile in use for a camera, or null.</summary>
    public NormalProfile? ProfileOf(int cameraIndex) => Volatile.Read(ref _slots[cameraIndex])?.Scorer?.Profile;

    /// <summary>
    /// A camera (back) in the configuration: a new one gets its slot, its profile loaded now (it scores from its first window,
    /// or stays unscored without a usable profile, as at start-up), also in the slot of a removed camera, whose profile and
    /// recent levels go; one put back keeps its slot and takes its regions.
    /// </summary>
    public void Open(int cameraIndex, CameraOptions camera)
    {
        if (Volatile.Read(ref _slots[cameraIndex]) is { } held && held.Camera.Equals(camera.Name, StringComparison.OrdinalIgnoreCase))
        {
            SetRegions(cameraIndex, camera.Regions);
            return;
        }
        Volatile.Write(ref _slots[cameraIndex], new Slot(camera));
        Reload();
    }

    /// <summary>
    /// Puts a camera's new regions in force from its next window: the mask is built here, on the caller's thread,
    /// and kept for profiles loaded later. The regions must be valid (<see cref="RegionRules"/>).
    /// </summary>
    public void SetRegions(int cameraIndex, IReadOnlyList<RegionOptions> regions)
    {
        var slot = _slots[cameraIndex] ?? throw new ArgumentOutOfRangeException(nameof(cameraIndex), $"no camera in slot {cameraIndex}");
        lock (slot)
        {
            slot.Regions = regions.ToArray();
            if (slot.Scorer is { } scorer) scorer.Mask = RegionMask.For(slot.Regions, scorer.Profile.Grid);
        }
    }

    /// <summary>The version of the profile in use for a camera; null without a profile or when no version matches it.</summary>
    public ProfileVersion? VersionOf(int cameraIndex) => Volatile.Read(ref _slots[cameraIndex]) is { Scorer: not null } slot ? slot.Version : null;

    /// <summary>Raised with the camera index after a camera's profile was (re)loaded or dropped.</summary>
    public event Action<int>? Changed;

    public void Score(WindowResult window)
    {
        if (Volatile.Read(ref _slots[window.CameraIndex])?.Scorer is not { } scorer) return;
        var positions = scorer.Profile.Grid * scorer.Profile.Grid;
        if (_map.Length < positions) _map = new float[positions];
        var score = scorer.Score(window.Tokens.Span, window.Signals.Span, _map, _scratch);
        window.Score = score.Score;
        window.AnomalyMap = _map.AsMemory(0, positions);
        window.WorstFrame = score.WorstFrame;
    }

    /// <summary>Loads every profile whose file changed since it was last loaded; safe to call from any thread.</summary>
    public void Reload()
    {
        lock (_reloading) ReloadSlots();
    }

    private void ReloadSlots()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is not { } slot) continue;
            var path = ProfileStore.PathFor(_dataDir, slot.Camera);
            DateTime written;
            try
            {
                written = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : default;
            }
            catch (IOException)
            {
                continue;
            }
            if (written == slot.LoadedWriteTime) continue;
            slot.LoadedWriteTime = written;
            if (written == default)
            {
                slot.Scorer = null;
                Changed?.Invoke(i);
                continue;
            }
            try
            {
                var profile = NormalProfile.Load(path);
                profile.EnsureMatches(_model, slot.Camera);
                if (!profile.IsCalibrated) throw new InvalidDataException($"{path} has no calibrated thresholds");
                profile.Fit(); // here, on the timer thread, not on the inference thread
                slot.Version = IdentifyVersion(slot.Camera);
                lock (slot) slot.Scorer = new CameraScorer(profile, slot.WindowsPerSecond, RegionMask.For(slot.Regions, profile.Grid));
                _logger.LogInformation("Camera {Camera}: profile {Version} loaded ({Windows} normal windows, {Feedback} from feedback)", slot.Camera,
                    slot.Version is { } v ? $"version {v.Id}" : "(no version)", profile.Windows, profile.FeedbackWindows);
            }
            catch (Exception e) when (e is InvalidDataException or ProfileMismatchException or IOException or InvalidOperationException)
            {
                slot.Scorer = null;
                _logger.LogError("Camera {Camera}: profile not used: {Reason}", slot.Camera, e.Message);
            }
            Changed?.Invoke(i);
        }
    }

    private ProfileVersion? IdentifyVersion(string camera)
    {
        try
        {
            return _versions?.Current(camera);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Camera {Camera}: the profile's version cannot be told: {Reason}", camera, e.Message);
            return null;
        }
    }

    public void Dispose() => _timer.Dispose();
}
