using LineWatch.Configuration;
using LineWatch.Processing;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging;

namespace LineWatch.Control;

/// <summary>Where a camera's live learning stands, as reported on <c>learn/state</c> and the dashboard.</summary>
public sealed record LearningStatus(bool Learning, int Windows, DateTimeOffset? Started, string? LastOutcome);

/// <summary>
/// Learning normal operation from the live camera: between start and stop every analysed window of the camera
/// goes into a <see cref="ProfileFitter"/>; stop calibrates and saves the profile, which the scorer picks up
/// by itself. Meanwhile the camera raises no alerts (it is being shown what normal is). Learning stops by
/// itself after <see cref="MaxWindows"/> windows so a forgotten session cannot grow without bound.
/// </summary>
public sealed class LiveLearning : IWindowSink
{
    public const int MaxWindows = 14_400;

    private readonly AgentOptions _options;
    private readonly CameraSlots _slots;
    private readonly Func<ModelIdentity?> _model;
    private readonly ILogger _logger;
    private readonly Session?[] _sessions;
    private readonly string?[] _outcomes;
    private readonly ProfileVersionStore _versions;

    private sealed class Session(ProfileFitter fitter)
    {
        public ProfileFitter Fitter { get; } = fitter;
        public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
        public bool Closed;
    }

    /// <param name="model">The loaded model's identity, or null while no model is loaded.</param>
    /// <param name="slots">The agent's camera slots; null for the configured cameras alone.</param>
    public LiveLearning(AgentOptions options, Func<ModelIdentity?> model, ILogger<LiveLearning> logger, ProfileVersionStore? versions = null,
        CameraSlots? slots = null)
    {
        _slots = slots ?? new CameraSlots(options);
        _versions = versions ?? new ProfileVersionStore(options.DataDir, options.Learning.KeepVersions);
        _options = options;
        _model = model;
        _logger = logger;
        _sessions = new Session?[_slots.Capacity];
        _outcomes = new string?[_slots.Capacity];
        _slots.Reused += Forget;
    }

    /// <summary>A new camera took the slot of a removed one: a session the removed camera left running is abandoned (its windows
    /// were that camera's), and its last outcome is not the new camera's.</summary>
    private void Forget(int camera, string previous)
    {
        if (Interlocked.Exchange(ref _sessions[camera], null) is { } session)
        {
            lock (session) session.Closed = true;
            _logger.LogInformation("Camera {Camera}: learning abandoned, as the camera was removed and its slot went to another", previous);
        }
        Volatile.Write(ref _outcomes[camera], null);
    }

    /// <summary>Raised with the camera index when a session fills up and should be stopped.</summary>
    public event Action<int>? Full;

    public bool IsLearning(int camera) => Volatile.Read(ref _sessions[camera]) is not null;

    public LearningStatus Status(int camera)
    {
        var session = Volatile.Read(ref _sessions[camera]);
        return new LearningStatus(session is not null, session?.Fitter.Windows ?? 0, session?.Started, Volatile.Read(ref _outcomes[camera]));
    }

    /// <summary>Starts collecting; returns why not when there is no model or the camera is already learning.</summary>
    public string? Start(int camera)
    {
        if (_slots.Camera(camera) is not { } settings) return $"no camera in slot {camera}";
        var name = settings.Name;
        if (_model() is not { } model) return "no model is loaded, so nothing is analysed to learn from";
        var session = new Session(new ProfileFitter(name, model, _options.Learning, settings.WindowsPerSecond()));
        if (Interlocked.CompareExchange(ref _sessions[camera], session, null) is not null) return $"camera {name} is already learning";
        _logger.LogInformation("Camera {Camera}: learning normal operation started", name);
        return null;
    }

    /// <summary>
    /// Ends the session, calibrates and saves the profile as a new version. Throws <see cref="InvalidOperationException"/>
    /// (and keeps the old profile) when not learning or when too little was seen.
    /// </summary>
    /// <param name="by">Who stopped it ("dashboard", "mqtt", "agent" when the session filled up), recorded in the version.</param>
    public ProfileFitter.Result Stop(int camera, string by = "agent")
    {
        var session = Interlocked.Exchange(ref _sessions[camera], null)
            ?? throw new InvalidOperationException("not learning");
        var name = _slots.Name(camera)!;
        ProfileFitter.Result result;
        lock (session)
        {
            session.Closed = true;
            try
            {
                result = session.Fitter.Finish();
            }
            catch (InvalidOperationException e)
            {
                Volatile.Write(ref _outcomes[camera], $"failed: {e.Message}");
                _logger.LogWarning("Camera {Camera}: learning stopped without a new profile: {Reason}", name, e.Message);
                throw;
            }
        }
        var version = _versions.Commit(result.Profile, new ProfileChange(ProfileSource.LiveLearn, by,
            $"live learning from {session.Started:O} to {DateTimeOffset.UtcNow:O}", Footage: ["the camera's live source"], Learned: result, Margin: _options.Learning.Margin));
        Volatile.Write(ref _outcomes[camera], $"learned from {result.FittedWindows + result.HeldOutWindows} windows at {DateTimeOffset.UtcNow:O} (profile version {version.Id})");
        _logger.LogInformation("Camera {Camera}: learned a new profile from {Fitted} windows (calibrated on {HeldOut}), version {Version}",
            name, result.FittedWindows, result.HeldOutWindows, version.Id);
        return result;
    }

    /// <summary>On the inference thread: feature statistics are accumulated in place (the fitter copies only held-out windows).</summary>
    public void OnWindow(WindowResult window)
    {
        var session = Volatile.Read(ref _sessions[window.CameraIndex]);
        if (session is null) return;
        lock (session)
        {
            if (session.Closed || session.Fitter.Windows >= MaxWindows) return;
            session.Fitter.Add(window.Tokens.Span, window.Signals.Span);
            if (session.Fitter.Windows < MaxWindows) return;
        }
        Full?.Invoke(window.CameraIndex);
    }
}
