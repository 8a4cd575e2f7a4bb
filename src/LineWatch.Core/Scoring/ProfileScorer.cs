using LineWatch.Configuration;
using LineWatch.Processing;
using Microsoft.Extensions.Logging;

namespace LineWatch.Scoring;

/// <summary>
/// The live scorer: each camera's profile from DataDir/profiles, loaded and fitted off the inference thread
/// and swapped in whole, and reloaded when the file changes (a new `linewatch learn`, or feedback) without
/// a restart. A camera without a usable profile is not scored (its windows carry no score), with the reason
/// logged once per file version.
/// </summary>
public sealed class ProfileScorer : IWindowScorer, IDisposable
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(2);

    private readonly string _dataDir;
    private readonly ModelIdentity _model;
    private readonly ILogger _logger;
    private readonly Slot[] _slots;
    private readonly Timer _timer;
    private readonly float[] _scratch;
    private float[] _map = [];

    private sealed class Slot(CameraOptions camera)
    {
        public string Camera { get; } = camera.Name;
        public double WindowsPerSecond { get; } = camera.WindowsPerSecond();
        public volatile CameraScorer? Scorer;
        public volatile IReadOnlyList<RegionOptions> Regions = camera.Regions.ToArray();
        public DateTime LoadedWriteTime;
    }

    public ProfileScorer(string dataDir, IReadOnlyList<CameraOptions> cameras, ModelIdentity model, ILogger<ProfileScorer> logger)
    {
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
        foreach (var slot in _slots)
        {
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
                continue;
            }
            try
            {
                var profile = NormalProfile.Load(path);
                profile.EnsureMatches(_model, slot.Camera);
                if (!profile.IsCalibrated) throw new InvalidDataException($"{path} has no calibrated thresholds");
                profile.Fit(); // here, on the timer thread, not on the inference thread
                lock (slot) slot.Scorer = new CameraScorer(profile, slot.WindowsPerSecond, RegionMask.For(slot.Regions, profile.Grid));
                _logger.LogInformation("Camera {Camera}: profile loaded ({Windows} normal windows, {Feedback} from feedback)", slot.Camera, profile.Windows, profile.FeedbackWindows);
            }
            catch (Exception e) when (e is InvalidDataException or ProfileMismatchException or IOException or InvalidOperationException)
            {
                slot.Scorer = null;
                _logger.LogError("Camera {Camera}: profile not used: {Reason}", slot.Camera, e.Message);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
