using System.Text.Json;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// The data directory's disk fills up (found by tests/soak/soak.sh): alerts must still go out. The data
/// directory is a tiny tmpfs, so this needs root; without it the tests are reported as skipped.
/// </summary>
public sealed class OutboxFullDiskTests : IDisposable
{
    private readonly SmallDisk _disk = new("256k");

    [RootFact("a tmpfs mount")]
    public void An_alert_raised_while_the_disk_is_full_is_still_published()
    {
        using var broker = new MosquittoBroker();
        var options = Options(broker);
        using var publisher = new AlertPath(options, "m");
        publisher.Start();
        Eventually.True(() => publisher.IsConnected, TimeSpan.FromSeconds(15), "the connection");
        var filler = _disk.Fill();

        using var sub = broker.Subscribe("lw/it-agent/press/events", 2, 15);
        publisher.OnAlert(Notice("full-1")); // the database cannot write a byte, and must not hold the event back
        Eventually.True(() => publisher.Pending == 0, TimeSpan.FromSeconds(10), "the broker to acknowledge the event and snapshot");
        File.Delete(filler);
        publisher.OnAlert(Notice("free-2"));

        var ids = new List<string>();
        while (sub.StandardOutput.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            ids.Add(json.RootElement.GetProperty("id").GetString()!);
        }
        Assert.Equal(new[] { "full-1", "free-2" }, ids);
        Eventually.True(() => publisher.Pending == 0, TimeSpan.FromSeconds(10), "the second event's acknowledgement");

        // With space back the database takes writes again: the second alert went through it (history and outbox) and
        // left the outbox on its acknowledgement; the first is missing from the history, as its error said.
        Assert.NotNull(publisher.History.Find("free-2"));
        Assert.Null(publisher.History.Find("full-1"));
        Assert.Equal(0, publisher.Publisher.Pending);
    }

    /// <summary>
    /// Found by the soak: an agent restarted (after a crash) while its disk is full must start and publish. Its database
    /// file cannot even be opened (SQLite must create its WAL index), so that run works from memory; the message that
    /// waited in the file goes out with the next start that has space.
    /// </summary>
    [RootFact("a tmpfs mount")]
    public void An_agent_restarted_while_the_disk_is_full_publishes_and_what_waited_on_disk_goes_out_once_there_is_space()
    {
        using var broker = new MosquittoBroker();
        var options = Options(broker);
        using (var before = new AlertPath(options, "m"))
        {
            before.OnAlert(Notice("before-1")); // kept on disk: the publisher was never started
        }
        var filler = _disk.Fill();

        using (var sub = broker.Subscribe("lw/it-agent/press/events", 1, 15))
        using (var full = new AlertPath(options, "m"))
        {
            Assert.True(full.Database.InMemory);
            full.Start();
            Eventually.True(() => full.IsConnected, TimeSpan.FromSeconds(15), "the connection");
            full.OnAlert(Notice("full-2"));
            Assert.Contains("\"id\":\"full-2\"", sub.StandardOutput.ReadLine());
            Assert.NotNull(full.History.Find("full-2")); // the history works, for this run
        }

        File.Delete(filler);
        using var again = broker.Subscribe("lw/it-agent/press/events", 1, 15);
        using var spacious = new AlertPath(options, "m");
        Assert.False(spacious.Database.InMemory);
        spacious.Start();
        Assert.Contains("\"id\":\"before-1\"", again.StandardOutput.ReadLine());
        Assert.NotNull(spacious.History.Find("before-1"));
    }

    /// <summary>An agent whose data directory is the small tmpfs, publishing to the test's broker.</summary>
    private AgentOptions Options(MosquittoBroker broker)
    {
        var options = new AgentOptions { AgentId = "it-agent", DataDir = _disk.Path };
        options.Mqtt.Mode = MqttMode.External;
        options.Mqtt.Port = broker.Port;
        options.Mqtt.TopicPrefix = "lw";
        return options;
    }

    private static AlertNotice Notice(string id) =>
        new(new AlertEvent(id, "press", AlertPhase.Start, 12.5, 10, 1.7, 2.3, AlertSeverity.Critical), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            2, [0.1f, 0.2f, 1.5f, 0.3f], [0xFF, 0xD8, 0xFF, 0xD9]);

    public void Dispose() => _disk.Dispose();
}
