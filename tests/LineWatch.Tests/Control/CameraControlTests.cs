using System.Diagnostics;
using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.Events;
using LineWatch.Processing;
using LineWatch.Scoring;
using LineWatch.Storage;
using LineWatch.Tests.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Tests.Control;

public sealed class CameraControlTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly AgentOptions _options;
    private readonly List<AlertNotice> _events = [];
    private readonly AgentDatabase _database;
    private readonly AlertHistory _history;
    private readonly AlertService _alerts;
    private ModelIdentity? _model;

    private sealed class Recorder(List<AlertNotice> events) : IAlertSink
    {
        public void OnAlert(AlertNotice notice) => events.Add(notice);
    }

    /// <summary>No MQTT here: the journal's transaction then holds the history row only.</summary>
    private sealed class NoOutbox : IAlertOutbox
    {
        public void Queue(DatabaseWrite write, AlertNotice notice) { }
        public void QueueUnsaved(AlertNotice notice) { }
        public void Send() { }
    }

    public CameraControlTests()
    {
        _options = new AgentOptions
        {
            DataDir = _dir.Path,
            Cameras = [new CameraOptions { Name = "line-1", Source = "demo:" }, new CameraOptions { Name = "press", Source = "demo:" }],
            Alerts = new AlertOptions { OnScore = 1, OffScore = 0.8, MinWindows = 2, CooldownSeconds = 0, CriticalScore = 2 },
        };
        _database = AgentDatabase.Open(_dir.Path, NullLogger.Instance);
        _history = new AlertHistory(_database);
        var journal = new AlertJournal(_database, _history, [new NoOutbox()], NullLogger<AlertJournal>.Instance);
        _alerts = new AlertService(_options, [new Recorder(_events), journal], NullLogger<AlertService>.Instance);
    }

    private (CameraControl Control, LiveLearning Learning) Create()
    {
        var switches = new CameraSwitches(_options.DataDir, new CameraSlots(_options), NullLogger<CameraSwitches>.Instance);
        var learning = new LiveLearning(_options, () => _model, NullLogger<LiveLearning>.Instance);
        return (new CameraControl(_options, switches, learning, _alerts, _history, NullLogger<CameraControl>.Instance), learning);
    }

    private void Window(int camera, double score, IWindowSink? sink = null)
    {
        var window = new WindowResult
        {
            CameraIndex = camera, Camera = _options.Cameras[camera].Name, FrameTicks = new[] { Stopwatch.GetTimestamp() },
            Embedding = new float[4], Tokens = new float[4 * 4], Score = score, AnomalyMap = new float[4],
        };
        (sink ?? _alerts).OnWindow(window);
    }

    private string StartAlert(int camera)
    {
        Window(camera, 1.5);
        Window(camera, 1.5);
        return Assert.Single(_events, e => e.Event.Phase == AlertPhase.Start && e.Event.Camera == _options.Cameras[camera].Name).Event.Id;
    }

    [Fact]
    public void Switching_a_camera_off_ends_its_alert_stops_new_ones_and_survives_a_restart()
    {
        var (control, _) = Create();
        var id = StartAlert(0);

        Assert.True(control.Apply(new SetEnabled(0, false)).Applied);
        var end = Assert.Single(_events, e => e.Event.Phase == AlertPhase.End);
        Assert.Equal(id, end.Event.Id);
        Window(0, 3);
        Window(0, 3);
        Assert.Equal(2, _events.Count);

        var (restarted, _) = Create();
        Assert.False(restarted.IsEnabled(0));
        Assert.True(restarted.IsEnabled(1));
        Assert.True(restarted.Apply(new SetEnabled(0, true)).Applied);
        Window(0, 3);
        Window(0, 3);
        Assert.Equal(2, _events.Count(e => e.Event.Phase == AlertPhase.Start));
    }

    [Fact]
    public void A_camera_added_while_the_agent_runs_alerts_under_its_name_takes_commands_and_once_removed_takes_none()
    {
        var slots = new CameraSlots(_options);
        var alerts = new AlertService(_options, [new Recorder(_events)], NullLogger<AlertService>.Instance, slots: slots);
        CameraControl Control(CameraSlots s) => new(_options, new CameraSwitches(_options.DataDir, s, NullLogger<CameraSwitches>.Instance),
            new LiveLearning(_options, () => _model, NullLogger<LiveLearning>.Instance, slots: s), alerts, _history, NullLogger<CameraControl>.Instance, slots: s);
        var control = Control(slots);
        void Window(int camera, double score) => alerts.OnWindow(new WindowResult
        {
            CameraIndex = camera, Camera = slots.Name(camera)!, FrameTicks = new[] { Stopwatch.GetTimestamp() },
            Embedding = new float[4], Tokens = new float[4 * 4], Score = score, AnomalyMap = new float[4],
        });

        var paint = slots.Take(new CameraOptions { Name = "paint", Source = "demo:" })!.Value;
        control.Resume(paint);
        Assert.Equal(2, paint);
        Assert.Equal(paint, control.IndexOf("paint"));
        Assert.Equal([0, 1, 2], control.Cameras);
        Window(paint, 1.5);
        Window(paint, 1.5);
        Assert.Equal("paint", Assert.Single(_events).Event.Camera);
        Assert.Equal(1.5, alerts.LastScore(paint));

        // Switched off: its alert ends, and the switch is kept by name for the next run.
        Assert.True(control.Apply(new SetEnabled(paint, false)).Applied);
        Assert.Equal(AlertPhase.End, _events[^1].Event.Phase);
        var nextRun = new CameraSlots(_options);
        var restarted = Control(nextRun);
        Assert.True(restarted.IsEnabled(0));
        Assert.False(restarted.IsEnabled(nextRun.Take(new CameraOptions { Name = "paint", Source = "demo:" })!.Value));

        slots.Release(paint);
        Assert.Equal(-1, control.IndexOf("paint"));
        Assert.Equal([0, 1], control.Cameras);
        Assert.Equal("unknown camera index 2", control.Apply(new SetEnabled(paint, true)).Detail);
    }

    [Fact]
    public void A_new_camera_in_the_slot_of_a_removed_one_left_learning_neither_learns_nor_stays_silent()
    {
        _options.MaxCameras = 2;
        var slots = new CameraSlots(_options);
        var alerts = new AlertService(_options, [new Recorder(_events)], NullLogger<AlertService>.Instance, slots: slots);
        var learning = new LiveLearning(_options, () => _model, NullLogger<LiveLearning>.Instance, slots: slots);
        var control = new CameraControl(_options, new CameraSwitches(_options.DataDir, slots, NullLogger<CameraSwitches>.Instance), learning, alerts, _history,
            NullLogger<CameraControl>.Instance, slots: slots);
        _model = new ModelIdentity("videomambapro", "tiny", 4, 1, 32, "random", new string('0', 64));
        Assert.True(control.Apply(new SetLearning(1, true)).Applied);
        // press is removed while learning (as the reload does: alerts suspended, then it leaves); paint takes its slot.
        alerts.SetSuspended(1, true);
        slots.Release(1);
        Assert.Equal(1, slots.Take(new CameraOptions { Name = "paint", Source = "demo:" }));
        control.Resume(1);

        Assert.Equal(new LearningStatus(false, 0, null, null), control.Learning(1));
        learning.OnWindow(new WindowResult { CameraIndex = 1, Camera = "paint", Tokens = new float[16], Signals = new float[4] });
        Assert.False(learning.IsLearning(1));
        for (var i = 0; i < 2; i++)
        {
            alerts.OnWindow(new WindowResult
            {
                CameraIndex = 1, Camera = "paint", FrameTicks = new[] { Stopwatch.GetTimestamp() }, Tokens = new float[16], Score = 1.5, AnomalyMap = new float[4],
            });
        }
        Assert.Equal("paint", Assert.Single(_events).Event.Camera);
    }

    [Fact]
    public void Feedback_needs_a_known_alert_of_the_same_camera()
    {
        var (control, _) = Create();
        var id = StartAlert(0);

        Assert.Contains("unknown alert id", control.Apply(new GiveFeedback(0, "nope", AlertVerdict.Confirmed)).Detail);
        Assert.Contains("belongs to camera line-1", control.Apply(new GiveFeedback(1, id, AlertVerdict.Confirmed)).Detail);
        Assert.Null(_history.Find(id)!.Verdict);

        Assert.True(control.Apply(new GiveFeedback(0, id, null)).Applied);
        Assert.NotNull(_history.Find(id)!.Acknowledged);
        Assert.True(control.Apply(new GiveFeedback(0, id, AlertVerdict.Confirmed)).Applied);
        Assert.Equal(AlertVerdict.Confirmed, _history.Find(id)!.Verdict);
    }

    [Fact]
    public void A_false_alarm_without_a_profile_on_disk_is_recorded_and_says_the_profile_was_not_updated()
    {
        var (control, _) = Create();
        var id = StartAlert(1);
        var outcome = control.Apply(new GiveFeedback(1, id, AlertVerdict.FalseAlarm));
        Assert.True(outcome.Applied);
        Assert.Contains("could not be updated", outcome.Detail);
        Assert.Equal(AlertVerdict.FalseAlarm, _history.Find(id)!.Verdict);
    }

    [Fact]
    public void Rollbacks_and_undos_that_cannot_be_done_are_refused_naming_why_and_leave_the_verdict()
    {
        var (control, _) = Create();
        var id = StartAlert(0);
        control.Apply(new GiveFeedback(0, id, AlertVerdict.FalseAlarm));

        Assert.Equal("camera line-1 has no profile version 4", control.Apply(new RollbackProfile(0, 4)).Detail);
        Assert.Contains("unknown alert id nope", control.Apply(new UndoFeedback(0, "nope")).Detail);
        Assert.Contains("belongs to camera line-1, not press", control.Apply(new UndoFeedback(1, id)).Detail);
        var undo = control.Apply(new UndoFeedback(0, id));
        Assert.False(undo.Applied);
        Assert.Contains($"no profile version came from feedback on alert {id}", undo.Detail);
        Assert.Equal(AlertVerdict.FalseAlarm, _history.Find(id)!.Verdict);
    }

    [Fact]
    public void Learning_needs_a_model_suspends_alerts_and_a_too_short_session_keeps_the_old_profile()
    {
        var (control, learning) = Create();
        Assert.Contains("no model", control.Apply(new SetLearning(0, true)).Detail);

        _model = new ModelIdentity("videomambapro", "tiny", 4, 1, 32, "random", new string('0', 64));
        Assert.True(control.Apply(new SetLearning(0, true)).Applied);
        Assert.Contains("already learning", control.Apply(new SetLearning(0, true)).Detail);
        Assert.True(control.Learning(0).Learning);
        for (var i = 0; i < 5; i++)
        {
            Window(0, 3);
            Window(0, 3, learning);
        }
        Assert.Empty(_events);
        Assert.Equal(5, control.Learning(0).Windows);

        var stop = control.Apply(new SetLearning(0, false));
        Assert.False(stop.Applied);
        Assert.Contains("not enough normal footage", stop.Detail);
        Assert.False(control.Learning(0).Learning);
        Assert.False(File.Exists(ProfileStore.PathFor(_options.DataDir, "line-1")));
        Window(0, 3);
        Window(0, 3);
        Assert.Single(_events);
    }

    [Fact]
    public void A_camera_that_is_switched_off_cannot_start_learning()
    {
        var (control, _) = Create();
        _model = new ModelIdentity("videomambapro", "tiny", 4, 1, 32, "random", new string('0', 64));
        control.Apply(new SetEnabled(1, false));
        Assert.Contains("switched off", control.Apply(new SetLearning(1, true)).Detail);
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
