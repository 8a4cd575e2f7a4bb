using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.IntegrationTests.Support;
using LineWatch.Storage;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// The soak's remaining loss (docs/benchmarks.md, Soak): an alert raised while the disk is full missed the database, and
/// a crash before the broker had it lost it. With a reserve beside the database, the full disk gives the reserve up and
/// the alert is written. The data directory is a small tmpfs, so this needs root; without it the test is reported as skipped.
/// </summary>
public sealed class DiskReserveTests : IDisposable
{
    private readonly SmallDisk _disk = new("4m");

    [RootFact("a tmpfs mount")]
    public void Alerts_raised_on_a_full_disk_are_recorded_from_the_reserve_and_survive_a_restart_and_the_reserve_returns_with_space()
    {
        // Not started: the broker never takes the events, so they must wait in the database's outbox.
        var options = new AgentOptions { AgentId = "it-agent", DataDir = _disk.Path };
        options.History.DiskReserveMB = 1;
        var reserve = Path.Combine(_disk.Path, AgentDatabase.FileName + DiskReserve.Suffix);
        using (var agent = new AlertPath(options, "m"))
        {
            Assert.Equal(1024 * 1024, new FileInfo(reserve).Length);
            var filler = _disk.Fill();

            agent.OnAlert(Notice("full-1", AlertPhase.Start));
            agent.OnAlert(Notice("full-1", AlertPhase.End));
            agent.OnAlert(Notice("full-2", AlertPhase.Start));

            Assert.False(File.Exists(reserve)); // given up to the database
            Assert.NotNull(agent.History.Find("full-1")?.Ended);
            Assert.NotNull(agent.History.Find("full-2"));
            Assert.Equal(5, agent.Publisher.Pending); // three events and two snapshots, in the outbox

            File.Delete(filler);
            agent.OnAlert(Notice("free-3", AlertPhase.Start));
            Eventually.True(() => new FileInfo(reserve) is { Exists: true, Length: 1024 * 1024 }, TimeSpan.FromSeconds(10), "the reserve to be taken again");
        }

        // As after a crash: what the full disk raised is on disk, and waits for the broker.
        using var restarted = new AlertPath(options, "m");
        Assert.NotNull(restarted.History.Find("full-1")?.Ended);
        Assert.NotNull(restarted.History.Find("full-2"));
        Assert.Equal(7, restarted.Publisher.Pending);
    }

    private static AlertNotice Notice(string id, AlertPhase phase) =>
        new(new AlertEvent(id, "press", phase, 12.5, 10, 1.7, 2.3, AlertSeverity.Critical), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            2, [0.1f, 0.2f, 1.5f, 0.3f], phase == AlertPhase.Start ? [0xFF, 0xD8, 0xFF, 0xD9] : null);

    public void Dispose() => _disk.Dispose();
}
