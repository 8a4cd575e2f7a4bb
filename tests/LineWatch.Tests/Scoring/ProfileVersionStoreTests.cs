using LineWatch.Scoring;
using LineWatch.Tests.Model;

namespace LineWatch.Tests.Scoring;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ProfileVersionStoreTests : IDisposable
{
    private const string Camera = "cam";
    private readonly TempFolder _dir = new();

    private ProfileVersionStore Store(int keep = 20) => new(_dir.Path, keep);

    /// <summary>Two frames of a one-region camera: the belt's flow (2, 0), light, contrast, the strips' shifts and flat profiles.</summary>
    private static float[] Signals()
    {
        float[] frame = [2, 0, 120, 40, 2, 0, 2, 0, .. Enumerable.Repeat(120f, 2 * LineWatch.Capture.FrameSignals.ProfileLength(1))];
        return [.. frame, .. frame];
    }

    private string Live => ProfileStore.PathFor(_dir.Path, Camera);
    private string VersionFile(int id, string extension = "profile") =>
        Path.Combine(ProfileVersionStore.VersionsDirectory(_dir.Path, Camera), $"{id:D6}.{extension}");

    /// <summary>A small real profile whose local threshold tells it apart.</summary>
    private static NormalProfile Profile(double localThreshold)
    {
        var random = new Random((int)(localThreshold * 1000));
        var profile = new NormalProfile(Camera, NormalProfileTests.Model, grid: 1);
        for (var i = 0; i < 20; i++)
        {
            profile.Add(Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble()).ToArray(), Signals());
        }
        (profile.LocalThreshold, profile.MotionThreshold, profile.SpeedThreshold, profile.LightingThreshold, profile.ShiftThreshold, profile.PatternThreshold) =
            (localThreshold, 3, 0.2, 0.15, 0.3, 3);
        return profile;
    }

    private static ProfileChange Learn(string by = "test") => new(ProfileSource.CliLearn, by, "learned in a test", Footage: ["normal.mp4"], Margin: 2.25);

    private static ProfileChange Feedback(string alertId) => new(ProfileSource.Feedback, "dashboard", $"feedback on {alertId}", alertId);

    [Fact]
    public void Versions_are_numbered_in_order_each_names_its_parent_and_the_newest_is_the_current_profile()
    {
        var store = Store();
        var first = store.Commit(Profile(1.5), Learn("cli (ana)"));
        var second = store.Commit(Profile(2.5), Learn());

        Assert.Equal([1, 2], store.List(Camera).Select(v => v.Id));
        Assert.Equal((null, 1), (first.Parent, second.Parent));
        Assert.Equal(2, store.Current(Camera)!.Id);
        Assert.Equal(File.ReadAllBytes(VersionFile(2)), File.ReadAllBytes(Live));
        Assert.Equal(2.5, NormalProfile.Load(Live).LocalThreshold);
        // The metadata alone says who, what, from what and with which calibration.
        var listed = store.List(Camera)[0];
        Assert.Equal(("cli (ana)", ProfileSource.CliLearn, 1.5, 2.25, 20L), (listed.By, listed.Source, listed.Calibration.LocalThreshold, listed.Calibration.Margin, listed.Windows));
        Assert.Equal(["normal.mp4"], listed.Footage);
    }

    [Fact]
    public void A_version_never_changes_after_it_is_written_and_a_rollback_is_a_new_version()
    {
        var store = Store();
        store.Commit(Profile(1.5), Learn());
        var before = File.ReadAllBytes(VersionFile(1));
        var metadata = File.ReadAllText(VersionFile(1, "json"));
        store.Commit(Profile(2.5), Learn());
        store.CommitFeedback(Camera, Feedback("a-1"), profile => profile.AddFeedback(new float[16], Signals()));

        var rollback = store.Rollback(Camera, 1, "cli (ana)");

        Assert.Equal((4, 1, 3, ProfileSource.Rollback), (rollback.Id, rollback.RestoredFrom, rollback.Parent, rollback.Source));
        Assert.Equal(before, File.ReadAllBytes(VersionFile(1)));
        Assert.Equal(metadata, File.ReadAllText(VersionFile(1, "json")));
        Assert.Equal(before, File.ReadAllBytes(Live));
        Assert.Equal(store.Find(Camera, 1).Sha256, rollback.Sha256);
        Assert.Equal(1.5, rollback.Calibration.LocalThreshold);
        // Read-only on disk too.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(VersionFile(2)));
    }

    [Fact]
    public void Rollbacks_to_an_unknown_or_the_current_version_are_refused_naming_it()
    {
        var store = Store();
        store.Commit(Profile(1.5), Learn());

        Assert.Equal("camera cam has no profile version 9", Assert.Throws<ProfileVersionException>(() => store.Rollback(Camera, 9, "test")).Message);
        Assert.Contains("version 1 is already the current profile", Assert.Throws<ProfileVersionException>(() => store.Rollback(Camera, 1, "test")).Message);
        Assert.Single(store.List(Camera));
    }

    [Fact]
    public void Retention_keeps_the_newest_versions_and_deletes_the_files_of_older_ones()
    {
        var store = Store(keep: 3);
        for (var i = 1; i <= 5; i++) store.Commit(Profile(i), Learn());

        Assert.Equal([3, 4, 5], store.List(Camera).Select(v => v.Id));
        Assert.False(File.Exists(VersionFile(1)) || File.Exists(VersionFile(1, "json")) || File.Exists(VersionFile(2)));
        // Ids are never reused after retention.
        Assert.Equal(6, store.Commit(Profile(6), Learn()).Id);
    }

    [Fact]
    public void A_profile_from_before_versions_becomes_version_1_as_it_is()
    {
        Directory.CreateDirectory(ProfileStore.Directory(_dir.Path));
        Profile(1.5).Save(Live);
        var bytes = File.ReadAllBytes(Live);

        var current = Store().Reconcile(Camera);

        Assert.Equal((1, ProfileSource.Imported, 1.5), (current!.Id, current.Source, current.Calibration.LocalThreshold));
        Assert.Equal(bytes, File.ReadAllBytes(Live));
        Assert.Equal(bytes, File.ReadAllBytes(VersionFile(1)));
        Assert.Equal(1, Store().Reconcile(Camera)!.Id); // once only
    }

    [Fact]
    public void A_profile_copied_over_the_current_one_by_hand_is_recorded_as_a_new_version()
    {
        var store = Store();
        store.Commit(Profile(1.5), Learn());
        Profile(7).Save(Live);

        var current = store.Reconcile(Camera)!;

        Assert.Equal((2, ProfileSource.Imported, 1, 7.0), (current.Id, current.Source, current.Parent, current.Calibration.LocalThreshold));
    }

    [Fact]
    public void A_crash_between_a_version_and_its_copy_is_finished_and_torn_leftovers_are_removed()
    {
        var store = Store();
        store.Commit(Profile(1.5), Learn());
        var old = File.ReadAllBytes(Live);
        store.Commit(Profile(2.5), Learn());
        // As if the agent died after version 2's metadata, before the copy over the current profile.
        File.WriteAllBytes(Live, old);
        // And a later attempt died after its profile, before its metadata, with a temporary file of a torn write beside.
        File.Copy(VersionFile(2), VersionFile(3));
        File.WriteAllText(VersionFile(4) + ".1a2b3c4d.partial", "half a profi");

        var current = store.Reconcile(Camera)!;

        Assert.Equal(2, current.Id);
        Assert.Equal(File.ReadAllBytes(VersionFile(2)), File.ReadAllBytes(Live));
        Assert.Equal(["000001.json", "000001.profile", "000002.json", "000002.profile", "lock"],
            Directory.GetFiles(ProfileVersionStore.VersionsDirectory(_dir.Path, Camera)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(3, store.Commit(Profile(3.5), Learn()).Id);
    }

    [Fact]
    public void A_damaged_version_file_is_refused_not_used()
    {
        var store = Store();
        store.Commit(Profile(1.5), Learn());
        store.Commit(Profile(2.5), Learn());
        File.SetUnixFileMode(VersionFile(1), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var file = File.OpenWrite(VersionFile(1))) file.Write([1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => store.Rollback(Camera, 1, "test"));

        Assert.Contains("does not match version 1's recorded hash", error.Message);
        Assert.Equal(2, store.Current(Camera)!.Id);
        Assert.Throws<InvalidDataException>(() => store.Load(Camera, 1));
    }

    [Fact]
    public void Undoing_feedback_brings_back_the_version_before_it_but_not_over_later_changes()
    {
        var store = Store();
        var learned = store.Commit(Profile(1.5), Learn());
        var feedback = store.CommitFeedback(Camera, Feedback("a-1"), profile => profile.AddFeedback(new float[16], Signals()));
        Assert.Equal((ProfileSource.Feedback, "a-1", 1L), (feedback.Source, feedback.AlertId, feedback.FeedbackWindows));
        Assert.Equal(1, NormalProfile.Load(Live).FeedbackWindows);

        var undo = store.UndoFeedback(Camera, "a-1", "mqtt");

        Assert.Equal((3, 1, "a-1", "mqtt"), (undo.Id, undo.RestoredFrom, undo.AlertId, undo.By));
        Assert.Equal(learned.Sha256, store.Current(Camera)!.Sha256);
        Assert.Equal(0, NormalProfile.Load(Live).FeedbackWindows);
        Assert.Contains("no profile version came from feedback on alert b-2", Assert.Throws<ProfileVersionException>(() => store.UndoFeedback(Camera, "b-2", "mqtt")).Message);

        store.CommitFeedback(Camera, Feedback("c-3"), profile => profile.AddFeedback(new float[16], Signals()));
        store.Commit(Profile(4), Learn());
        var late = Assert.Throws<ProfileVersionException>(() => store.UndoFeedback(Camera, "c-3", "mqtt"));
        Assert.Contains("made version 4, but version 5 is current now", late.Message);
    }

    [Fact]
    public void Feedback_needs_a_profile_to_add_to()
    {
        Assert.Contains("no profile to add feedback to", Assert.Throws<ProfileVersionException>(() => Store().CommitFeedback(Camera, Feedback("a-1"), _ => { })).Message);
    }

    [Fact]
    public void A_comparison_shows_how_each_threshold_changed()
    {
        var store = Store();
        var a = store.Commit(Profile(2), Learn());
        var b = store.Commit(Profile(3), Learn());

        var rows = ProfileComparison.Compare(a, b);

        var local = rows.Single(r => r.Field == "local_threshold");
        Assert.Equal(("2", "3", 0.5), (local.A, local.B, local.RelativeChange));
        Assert.True(local.Differs);
        Assert.False(rows.Single(r => r.Field == "motion_threshold").Differs);
        Assert.Equal("0.3", rows.Single(r => r.Field == "shift_threshold").A);
    }

    public void Dispose() => _dir.Dispose();
}
