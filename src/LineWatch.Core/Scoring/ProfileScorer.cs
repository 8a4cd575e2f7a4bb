using LineWatch.Configuration;
using LineWatch.Processing;
using Microsoft.Extensions.Logging;

namespace LineWatch.Scoring;

/// <summary>
/// The live scorer: each camera's profile from DataDir/profiles, loaded and fitted off the inference thread
/// and swapped in whole, and reloaded when the file changes (a new `linewatch learn`, or feedback) without
/// a restart. A camera without a usable profile is not scored (its windows carry no score), with the reason
/// logged once per file version. Which profile version a loaded file is comes from its hash (<see cref="ProfileVersionStore.Current"/>).
/// </summary>
public sealed class ProfileScorer : IWindowScorer, IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    private readonly string _dataDir;
    private readonly ModelIdentity _model;
    private readonly ILogger _logger;
    private readonly Slot[] _slots;
    private readonly ProfileVersionStore? _versions;
    private readonly Timer _timer;
    private readonly float[] _scratch;
    private float[] _map = [];

    private sealed class Slot(CameraOptions camera)
    {
        public string Camera { get; } = camera.Name;
        public double WindowsPerSecond { get; } = camera.WindowsPerSecond();
        public volatile CameraScorer? Scorer;
        public volatile IReadOnlyList<RegionOptions> Regions = camera.Regions.ToArray();
        public volatile ProfileVersion? Version;
        public DateTime LoadedWriteTime;
    }

    /// <param name="versions">Where to look up which version a loaded profile is; null to not say.</param>
    public ProfileScorer(string dataDir, IReadOnlyList<CameraOptions> cameras, ModelIdentity model, ILogger<ProfileScorer> logger, ProfileVersionStore? versions = null)
    {
        _versions = versions;
        _dataDir = dataDir;
        _model = model;
        _logger = logger;
        _slots = cameras.Select(c => new Slot(c)).ToArray();
        _scratch = new float[Math.Max(CameraScorer.ScratchLength(model), 1024)];
        Reload();
        _timer = new Timer(_ => Reload(), null, CheckEvery, CheckEvery);
    }

    /// <summary>The profile in use for a camera, or null.</summary>
    public NormalProfile? ProfileOf(int cameraIndex) => _slots[cameraIndex].Scorer?.Profile;

    /// <summary>
    /// Puts a camera's new regions in force from its next window: the mask is built here, on the caller's thread,
    /// and kept for profiles loaded later. The regions must be valid (<see cref="RegionRules"/>).
    /// </summary>
    public void SetRegions(int cameraIndex, IReadOnlyList<RegionOptions> regions)
    {
        var slot = _slots[cameraIndex];
        lock (slot)
        {
            slot.Regions = regions.ToArray();
            if (slot.Scorer is { } scorer) scorer.Mask = RegionMask.For(slot.Regions, scorer.Profile.Grid);
        }
    }

    /// <summary>The version of the profile in use for a camera; null without a profile or when no version matches it.</summary>
    public ProfileVersion? VersionOf(int cameraIndex) => _slots[cameraIndex].Scorer is null ? null : _slots[cameraIndex].Version;

    /// <summary>Raised with the camera index after a camera's profile was (re)loaded or dropped.</summary>
    public event Action<int>? Changed;

    public void Score(WindowResult window)
    {
        var scorer = _slots[window.CameraIndex].Scorer;
        if (scorer is null) return;
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
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i];
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
