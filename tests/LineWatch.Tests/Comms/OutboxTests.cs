using System.Text;
using LineWatch.Comms.Mqtt;
using LineWatch.Storage;
using LineWatch.Tests.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.Tests.Comms;

/// <summary>The MQTT outbox in a real SQLite file (what the JSON-lines DurableOutbox's tests checked, on the database).</summary>
public sealed class OutboxTests : IDisposable
{
    private readonly DatabaseFolder _dir = new();

    private static OutboxMessage Message(string topic, string payload, bool retain = false) => new(topic, Encoding.UTF8.GetBytes(payload), retain);

    private static List<OutboxEntry> All(Outbox outbox) => [.. outbox.After(0, int.MaxValue)];

    private static long Put(AgentDatabase database, Outbox outbox, OutboxMessage message)
    {
        using var write = database.BeginWrite();
        outbox.Put(write, message);
        write.Commit();
        return All(outbox)[^1].Sequence;
    }

    [Fact]
    public void Unacknowledged_messages_survive_a_restart_in_order()
    {
        long last;
        using (var database = _dir.Open())
        {
            var outbox = new Outbox(database, 100);
            var a = Put(database, outbox, Message("t/a", "1"));
            var b = Put(database, outbox, Message("t/b", "2", retain: true));
            last = Put(database, outbox, Message("t/c", "3"));
            outbox.Acknowledge([b]);
            Assert.Equal(2, outbox.PendingCount);
            Assert.Equal(a, All(outbox)[0].Sequence);
        }
        using var reopened = _dir.Open();
        var again = new Outbox(reopened, 100);
        var pending = All(again);
        Assert.Equal(["t/a", "t/c"], pending.Select(e => e.Topic));
        Assert.Equal("3", Encoding.UTF8.GetString(pending[1].Payload));
        Assert.Equal(2, again.PendingCount);
        Assert.True(Put(reopened, again, Message("t/d", "4")) > last, "sequence numbers keep rising across restarts");
    }

    [Fact]
    public void Each_destination_counts_reads_and_bounds_only_its_own_rows()
    {
        using var database = _dir.Open();
        var mqtt = new Outbox(database, 100);
        var webhook = new Outbox(database, capacity: 2, Outbox.WebhookDestination("mes"));
        using (var write = database.BeginWrite())
        {
            mqtt.Put(write, Message("t/a", "m1"));
            for (var i = 1; i <= 3; i++) webhook.Put(write, Message("alert", $"w{i}"));
            mqtt.Put(write, Message("t/b", "m2"));
            write.Commit();
        }

        Assert.Equal(["m1", "m2"], All(mqtt).Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.Equal(["w2", "w3"], All(webhook).Select(e => Encoding.UTF8.GetString(e.Payload))); // its capacity dropped its own oldest only
        Assert.Equal((2, 2, 0L, 1L), (mqtt.PendingCount, webhook.PendingCount, mqtt.Dropped, webhook.Dropped));
        webhook.Acknowledge([All(webhook)[0].Sequence]);
        Assert.Equal((2, 1), (mqtt.PendingCount, webhook.PendingCount));
        Assert.Equal(1, new Outbox(database, 100, Outbox.WebhookDestination("mes")).PendingCount); // counted again from the file
    }

    [Fact]
    public void Sequence_numbers_are_never_reused_even_after_the_outbox_emptied_and_the_agent_restarted()
    {
        long first;
        using (var database = _dir.Open())
        {
            var outbox = new Outbox(database, 100);
            first = Put(database, outbox, Message("t/a", "1"));
            outbox.Acknowledge([first]);
        }
        using var reopened = _dir.Open();
        Assert.True(Put(reopened, new Outbox(reopened, 100), Message("t/b", "2")) > first);
    }

    /// <summary>
    /// The database's answer to the JSON log's torn line: a crash in the middle of a transaction. The files are copied as
    /// they are on disk at that moment — what kill -9 or a power cut leaves — while a transaction big enough to spill its
    /// pages into the WAL is open, and optionally with the WAL's last frame cut in half. Opened from the copy, every
    /// committed message is there, nothing of the open transaction is, and a message put afterwards survives a restart.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_crash_in_the_middle_of_a_transaction_loses_nothing_committed_and_the_next_message_survives(bool tornLastFrame)
    {
        var crashed = Path.Combine(_dir.Path, "after-crash");
        Directory.CreateDirectory(crashed);
        using (var database = _dir.Open())
        {
            var outbox = new Outbox(database, 100_000);
            Put(database, outbox, Message("t/a", "1"));
            Put(database, outbox, Message("t/b", "2", retain: true));
            using var write = database.BeginWrite();
            var big = new string('s', 100_000);
            for (var i = 0; i < 200; i++) outbox.Put(write, Message("t/snapshot", big)); // 20 MB: far more than SQLite's page cache
            var wal = new FileInfo(_dir.DatabasePath + "-wal");
            Assert.True(wal.Length > 1_000_000, $"the open transaction did not reach the WAL ({wal.Length} bytes)");
            File.Copy(_dir.DatabasePath, Path.Combine(crashed, AgentDatabase.FileName));
            var walCopy = Path.Combine(crashed, AgentDatabase.FileName + "-wal");
            File.Copy(wal.FullName, walCopy);
            if (tornLastFrame)
            {
                using var file = new FileStream(walCopy, FileMode.Open);
                file.SetLength(file.Length - 2000); // a frame is 24 bytes + a 4 KB page: this cuts one in half
            }
        }

        using (var afterCrash = AgentDatabase.Open(crashed, NullLogger.Instance))
        {
            var outbox = new Outbox(afterCrash, 100);
            Assert.Equal(["t/a", "t/b"], All(outbox).Select(e => e.Topic));
            Assert.Equal(2, outbox.PendingCount);
            Put(afterCrash, outbox, Message("t/c", "3", retain: true));
        }
        using var reopened = AgentDatabase.Open(crashed, NullLogger.Instance);
        var pending = All(new Outbox(reopened, 100));
        Assert.Equal(["t/a", "t/b", "t/c"], pending.Select(e => e.Topic));
        Assert.Equal(["1", "2", "3"], pending.Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.True(pending[2].Retain);
    }

    [Fact]
    public void When_full_the_oldest_is_dropped_and_counted()
    {
        using var database = _dir.Open();
        var outbox = new Outbox(database, capacity: 2);
        Put(database, outbox, Message("t/1", "1"));
        Put(database, outbox, Message("t/2", "2"));
        Put(database, outbox, Message("t/3", "3"));
        Assert.Equal(["t/2", "t/3"], All(outbox).Select(e => e.Topic));
        Assert.Equal(1, outbox.Dropped);
        Assert.Equal(2, outbox.PendingCount);
    }

    [Fact]
    public void Several_messages_of_one_write_count_against_the_capacity_together()
    {
        using var database = _dir.Open();
        var outbox = new Outbox(database, capacity: 3);
        Put(database, outbox, Message("t/1", "1"));
        using (var write = database.BeginWrite())
        {
            for (var i = 2; i <= 5; i++) outbox.Put(write, Message($"t/{i}", "x"));
            write.Commit();
        }
        Assert.Equal(["t/3", "t/4", "t/5"], All(outbox).Select(e => e.Topic));
        Assert.Equal(2, outbox.Dropped);
        Assert.Equal(3, outbox.PendingCount);
    }

    [Fact]
    public void A_write_that_is_rolled_back_changes_neither_the_rows_nor_the_counts()
    {
        using var database = _dir.Open();
        var outbox = new Outbox(database, capacity: 1);
        Put(database, outbox, Message("t/1", "1"));
        using (var write = database.BeginWrite())
        {
            outbox.Put(write, Message("t/2", "2")); // would drop t/1
        }
        Assert.Equal(["t/1"], All(outbox).Select(e => e.Topic));
        Assert.Equal(1, outbox.PendingCount);
        Assert.Equal(0, outbox.Dropped);
    }

    [Fact]
    public void Acknowledging_twice_or_an_unknown_sequence_changes_nothing()
    {
        using var database = _dir.Open();
        var outbox = new Outbox(database, 10);
        var a = Put(database, outbox, Message("t/a", "1"));
        var b = Put(database, outbox, Message("t/b", "2"));
        outbox.Acknowledge([a]);
        outbox.Acknowledge([a, 12345]);
        Assert.Equal(1, outbox.PendingCount);
        Assert.Equal([b], All(outbox).Select(e => e.Sequence));
    }

    [Fact]
    public void After_reads_in_order_from_a_sequence_and_at_most_the_limit()
    {
        using var database = _dir.Open();
        var outbox = new Outbox(database, 100);
        var sequences = Enumerable.Range(0, 10).Select(i => Put(database, outbox, Message($"t/{i}", "x"))).ToList();
        Assert.Equal(sequences[3..6], outbox.After(sequences[2], 3).Select(e => e.Sequence));
        Assert.Empty(outbox.After(sequences[^1], 10));
    }

    /// <summary>What the JSON log's compaction was for: thousands of messages put and acknowledged do not grow the files without bound.</summary>
    [Fact]
    public void Space_of_acknowledged_messages_is_reused_so_the_files_stay_bounded()
    {
        using var database = _dir.Open();
        var outbox = new Outbox(database, 100);
        var payload = new string('p', 10_000);
        for (var i = 0; i < 2000; i++) outbox.Acknowledge([Put(database, outbox, Message("t/snapshot", payload))]); // 20 MB written in all
        var size = new FileInfo(_dir.DatabasePath).Length;
        var wal = new FileInfo(_dir.DatabasePath + "-wal").Length;
        Assert.True(size < 1_000_000, $"the database file grew to {size} bytes");
        Assert.True(wal < 10_000_000, $"the WAL grew to {wal} bytes");
        Assert.Equal(0, outbox.PendingCount);
    }

    [Fact]
    public void The_old_json_lines_outbox_is_imported_once_in_order_and_renamed()
    {
        var legacy = Path.Combine(_dir.Path, "outbox", "outbox.log");
        Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
        string PutLine(long sequence, string topic, string payload, bool retain = false) =>
            $"{{\"put\":{sequence},\"ack\":null,\"topic\":\"{topic}\",\"payload\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(payload))}\",\"retain\":{(retain ? "true" : "false")}}}";
        File.WriteAllLines(legacy,
        [
            PutLine(1, "t/a", "1"), PutLine(2, "t/b", "2"), "{\"put\":null,\"ack\":2,\"topic\":null,\"payload\":null,\"retain\":false}",
            PutLine(3, "t/c", "3", retain: true), "{\"put\":4,\"topic\":\"t/torn\",\"pay",
        ]);
        using (var database = _dir.Open())
        {
            var outbox = new Outbox(database, 100);
            Assert.Equal(2, outbox.ImportLegacyLog(_dir.Path));
            var pending = All(outbox);
            Assert.Equal(["t/a", "t/c"], pending.Select(e => e.Topic));
            Assert.Equal("3", Encoding.UTF8.GetString(pending[1].Payload));
            Assert.True(pending[1].Retain);
            Assert.Equal(2, outbox.PendingCount);
        }
        Assert.False(File.Exists(legacy));
        Assert.True(File.Exists(legacy + ".imported"));
        using var reopened = _dir.Open();
        var again = new Outbox(reopened, 100);
        Assert.Equal(0, again.ImportLegacyLog(_dir.Path));
        Assert.Equal(["t/a", "t/c"], All(again).Select(e => e.Topic));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
