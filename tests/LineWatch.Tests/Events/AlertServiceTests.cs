using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Processing;
using LineWatch.Scoring;
using LineWatch.Tests.Model;
using LineWatch.Tests.Scoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Tests.Events;

/// <summary>
/// The alert service on the inference thread's hot path: what it keeps of an active alert's windows for
/// false-alarm feedback must cost no allocation per window, however long the agent runs.
/// </summary>
public sealed class AlertServiceTests : IDisposable
{
    private const string Camera = "cam";
    private readonly TempFolder _dir = new();
    private readonly AgentOptions _options;
    // One frame time for every window: the alert's clock stands still, so it raises no update events (which
    // allocate their notice) and the windows measure what keeping them costs.
    private readonly long[] _frameTicks = [Stopwatch.GetTimestamp()];

    private sealed class NoSink : IAlertSink
    {
        public void OnAlert(AlertNotice notice) { }
    }

    public AlertServiceTests()
    {
        _options = new AgentOptions
        {
            DataDir = _dir.Path,
            Cameras = [new CameraOptions { Name = Camera, Source = "demo:" }],
            Alerts = new AlertOptions { OnScore = 1, OffScore = 0.8, MinWindows = 2, FastScore = 1000, CooldownSeconds = 0, CriticalScore = 1000 },
        };
    }

    private AlertService Service(params IAlertSink[] sinks) => new(_options, sinks.Length > 0 ? sinks : [new NoSink()], NullLogger<AlertService>.Instance);

    /// <summary>A window with the backbone's feature sizes (8 frames × 7 × 7 patches × 192: a copy of the tokens is a large object).</summary>
    private WindowResult Window(int tokens = 8 * 49 * 192, int signals = 8 * 8) => new()
    {
        CameraIndex = 0, Camera = Camera, FrameTicks = _frameTicks, Tokens = new float[tokens], Signals = new float[signals], AnomalyMap = new float[49],
    };

    private static void Observe(AlertService service, WindowResult window, double score)
    {
        window.Score = score;
        service.OnWindow(window);
    }

    /// <summary>An alert of <paramref name="windows"/> windows, each scoring above the last (so each is kept), then its end.</summary>
    private static void Alert(AlertService service, WindowResult window, int windows)
    {
        for (var i = 0; i < windows; i++) Observe(service, window, 1.5 + i * 0.01);
        Observe(service, window, 0.5);
        Observe(service, window, 0.5);
    }

    [Fact]
    public void An_active_alert_keeps_its_highest_windows_without_allocating_per_window()
    {
        var service = Service();
        var window = Window();
        // Warm-up: the alert starts and fills its kept windows.
        for (var i = 0; i < 20; i++) Observe(service, window, 1.5 + i * 0.01);
        Assert.NotNull(service.ActiveAlert(0));

        var before = GC.GetAllocatedBytesForCurrentThread();
        // Every window outscores the lowest kept one, so every window replaces it.
        for (var i = 0; i < 200; i++) Observe(service, window, 2 + i * 0.01);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Alerts_that_follow_one_another_reuse_the_memory_kept_for_the_oldest()
    {
        var service = Service();
        var window = Window();
        // Warm-up: more alerts than are kept, so the oldest have given way.
        for (var k = 0; k < 40; k++) Alert(service, window, windows: 12);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var k = 0; k < 40; k++) Alert(service, window, windows: 12);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // Each alert's start and end events allocate their notices (small objects); its 12 kept windows must not
        // allocate at all: 40 alerts together stay under one copy of a window's tokens.
        Assert.True(allocated < window.Tokens.Length * sizeof(float), $"40 alerts allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_false_alarm_teaches_the_profile_the_alerts_kept_windows_and_an_alert_no_longer_kept_is_refused()
    {
        var versions = new ProfileVersionStore(_dir.Path, 20);
        var profile = new NormalProfile(Camera, NormalProfileTests.Model, grid: 1);
        var random = new Random(1);
        for (var i = 0; i < 20; i++) profile.Add(Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble()).ToArray(), [2, 0, 120, 40, 2, 0, 2, 0, 2, 0, 120, 40, 2, 0, 2, 0]);
        (profile.LocalThreshold, profile.MotionThreshold, profile.SpeedThreshold, profile.LightingThreshold) = (2, 3, 0.2, 0.15);
        versions.Commit(profile, new ProfileChange(ProfileSource.CliLearn, "test", "learned in a test"));
        var events = new List<AlertNotice>();
        var sink = new Recorder(events);
        var service = new AlertService(_options, [sink], NullLogger<AlertService>.Instance, versions: versions);
        var window = Window(tokens: 16, signals: 8);
        window.Signals = new float[] { 2, 0, 120, 40, 2, 0, 2, 0, 2, 0, 120, 40, 2, 0, 2, 0 };

        // 20 alerts: the first 4 have given way to later ones, whose memory they reused.
        for (var k = 0; k < 20; k++) Alert(service, window, windows: 12);
        var ids = events.Where(e => e.Event.Phase == AlertPhase.Start).Select(e => e.Event.Id).ToArray();
        Assert.Equal(20, ids.Length);

        Assert.Null(service.MarkFalseAlarm(ids[3]));
        var version = service.MarkFalseAlarm(ids[^1]);
        Assert.NotNull(version);
        Assert.Equal(8, NormalProfile.Load(ProfileStore.PathFor(_dir.Path, Camera)).FeedbackWindows);
        // Taken once: a second mark of the same alert has nothing left to teach.
        Assert.Null(service.MarkFalseAlarm(ids[^1]));
        Assert.NotNull(service.MarkFalseAlarm(ids[4]));
    }

    [Fact]
    public void A_new_camera_in_a_removed_cameras_slot_starts_with_none_of_its_alert_state()
    {
        _options.MaxCameras = 1;
        var slots = new CameraSlots(_options);
        var events = new List<AlertNotice>();
        var service = new AlertService(_options, [new Recorder(events)], NullLogger<AlertService>.Instance, slots: slots);
        var window = Window();
        Observe(service, window, 1.5);
        Observe(service, window, 1.6);
        var removed = service.ActiveAlert(0)!;
        // As a removal does: the alert ends, then the camera leaves; a new camera takes its slot.
        service.SetSuspended(0, true);
        slots.Release(0);
        Assert.Equal(0, slots.Take(new CameraOptions { Name = "paint", Source = "demo:" }));

        Assert.Null(service.LastScore(0));
        Assert.Null(service.ActiveAlert(0));
        Assert.Null(service.MarkFalseAlarm(removed)); // its kept windows are not the new camera's to learn from
        // Not suspended as the removed camera was: the new camera alerts, under its own name.
        window.Camera = "paint";
        Observe(service, window, 1.5);
        Observe(service, window, 1.6);
        Assert.Equal("paint", events[^1].Event.Camera);
        Assert.Equal(AlertPhase.Start, events[^1].Event.Phase);
        Assert.Equal(1.6, service.LastScore(0));
    }

    private sealed class Recorder(List<AlertNotice> events) : IAlertSink
    {
        public void OnAlert(AlertNotice notice) => events.Add(notice);
    }

    public void Dispose() => _dir.Dispose();
}
