using System.Collections.Concurrent;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.IntegrationTests.Support;
using LineWatch.Inference;
using LineWatch.Processing;
using LineWatch.Scoring;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Scoring;

/// <summary>
/// Learn → live scoring → alert → false-alarm feedback, with the real pieces: generated line footage, a real
/// backbone in ORT, the pipeline playing a file camera in real time, the profile scorer and the alert service.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed class LiveScoringTests(LearnedLine line) : IDisposable
{
    private readonly TempDirectory _dir = new();

    private sealed class RecordingAlerts : IAlertSink
    {
        public ConcurrentQueue<AlertNotice> Notices { get; } = new();
        public void OnAlert(AlertNotice notice) => Notices.Enqueue(notice);
    }

    [Fact]
    public void A_hand_in_the_work_area_raises_an_alert_and_marking_it_a_false_alarm_updates_the_profile()
    {
        var faulty = line.Faulty;
        var hand = Assert.Single(faulty.Labels.Anomalies);
        var options = new AgentOptions { DataDir = line.NewDataDir(_dir.Path) };
        options.Cameras.Add(new CameraOptions { Name = LearnedLine.Camera, Source = faulty.VideoPath, AnalysisFps = 8, Stride = 4, Loop = false });
        options.Model.Device = ModelDevice.Cpu;
        var identity = line.Identity;
        var modelPath = line.ModelPath;

        var alerts = new RecordingAlerts();
        var alertService = new AlertService(options, [alerts], NullLogger<AlertService>.Instance);
        using var scorer = new ProfileScorer(options.DataDir, options.Cameras, identity, NullLogger<ProfileScorer>.Instance);
        Assert.NotNull(scorer.ProfileOf(0));
        CameraSource.TryParse(faulty.VideoPath, "/", options.DataDir, out var source, out _);
        using var model = OrtSessionFactory.Create(modelPath, options.Model, NullLogger.Instance);
        using var pipeline = new Pipeline(options, [source], model, scorer, [alertService], NullLoggerFactory.Instance);
        pipeline.Start();

        var handEnd = TimeSpan.FromSeconds(hand.EndFrame / faulty.Labels.Fps + 5);
        var deadline = DateTime.UtcNow + handEnd + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !alerts.Notices.Any(n => n.Event.Phase == AlertPhase.Start)) Thread.Sleep(100);
        var start = alerts.Notices.FirstOrDefault(n => n.Event.Phase == AlertPhase.Start);
        Assert.True(start is not null, $"no alert within the hand's span ({hand.StartFrame / 25.0:0.0}-{hand.EndFrame / 25.0:0.0} s); windows scored {pipeline.Cameras[0].WindowsScored}");
        Assert.Equal("line", start.Event.Camera);
        Assert.True(start.Event.Score >= options.Alerts.OnScore);
        Assert.Equal(start.Grid * start.Grid, start.AnomalyMap.Length);
        // The snapshot: the most anomalous frame, as a 320x180 thumbnail of the 640x360 camera, heatmap overlaid.
        Assert.NotNull(start.Snapshot);
        var snapshotPath = _dir.File("snapshot.jpg");
        File.WriteAllBytes(snapshotPath, start.Snapshot);
        using (var snapshot = LineWatch.Capture.VideoSource.Open(snapshotPath))
        {
            Assert.Equal(320, snapshot.Info.Width);
            Assert.Equal(180, snapshot.Info.Height);
        }

        // The copied-in profile had no version: it becomes version 1, and the feedback version 2.
        var version = alertService.MarkFalseAlarm(start.Event.Id);
        Assert.NotNull(version);
        Assert.Equal((2, ProfileSource.Feedback, 1), (version.Id, version.Source, version.Parent));
        Assert.Null(alertService.MarkFalseAlarm("no-such-alert"));
        var saved = NormalProfile.Load(ProfileStore.PathFor(options.DataDir, "line"));
        Assert.True(saved.FeedbackWindows > 0);
        // The running scorer picks the updated profile up by itself (it checks every 2 s).
        var reloadDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < reloadDeadline && scorer.ProfileOf(0)?.FeedbackWindows == 0) Thread.Sleep(100);
        Assert.True(scorer.ProfileOf(0)!.FeedbackWindows > 0, "the running scorer did not reload the profile");
    }

    public void Dispose() => _dir.Dispose();
}
