using System.Text;
using LineWatch.Comms.Mqtt;

namespace LineWatch.Tests.Comms;

public sealed class DurableOutboxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linewatch-outbox-").FullName;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Unacknowledged_messages_survive_a_restart_in_order()
    {
        using (var outbox = new DurableOutbox(_dir, 100))
        {
            var a = outbox.Put("t/a", Bytes("1"), retain: false);
            var b = outbox.Put("t/b", Bytes("2"), retain: true);
            outbox.Put("t/c", Bytes("3"), retain: false);
            outbox.Acknowledge(b);
            Assert.Equal(2, outbox.PendingCount);
            Assert.Equal(a, outbox.Pending()[0].Sequence);
        }
        using var reopened = new DurableOutbox(_dir, 100);
        var pending = reopened.Pending();
        Assert.Equal(["t/a", "t/c"], pending.Select(e => e.Topic));
        Assert.Equal("3", Encoding.UTF8.GetString(pending[1].Payload));
        Assert.True(reopened.Put("t/d", Bytes("4"), false) > pending[1].Sequence, "sequence numbers keep rising across restarts");
    }

    [Fact]
    public void A_line_cut_short_by_a_crash_is_skipped_and_counted()
    {
        using (var outbox = new DurableOutbox(_dir, 100))
        {
            outbox.Put("t/a", Bytes("1"), false);
        }
        File.AppendAllText(Path.Combine(_dir, "outbox.log"), "{\"put\":2,\"topic\":\"t/b\",\"pay");
        using var reopened = new DurableOutbox(_dir, 100);
        Assert.Single(reopened.Pending());
        Assert.Equal(1, reopened.UnreadableLines);
    }

    [Fact]
    public void A_message_put_after_a_crash_mid_write_is_not_glued_onto_the_torn_line_and_lost()
    {
        var log = Path.Combine(_dir, "outbox.log");
        using (var outbox = new DurableOutbox(_dir, 100))
        {
            outbox.Put("t/a", Bytes("1"), false);
        }
        File.AppendAllText(log, "{\"put\":2,\"topic\":\"t/b\",\"pay");
        using (var afterCrash = new DurableOutbox(_dir, 100))
        {
            Assert.Equal(["t/a"], afterCrash.Pending().Select(e => e.Topic));
            afterCrash.Put("t/c", Bytes("3"), retain: true);
            Assert.Equal(2, afterCrash.PendingCount);
        }
        using var reopened = new DurableOutbox(_dir, 100);
        var pending = reopened.Pending();
        Assert.Equal(["t/a", "t/c"], pending.Select(e => e.Topic));
        Assert.Equal(["1", "3"], pending.Select(e => Encoding.UTF8.GetString(e.Payload)));
        Assert.True(pending[1].Retain);
        Assert.Equal(0, reopened.UnreadableLines);
        Assert.DoesNotContain("\"pay{", File.ReadAllText(log));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_torn_snapshot_record_longer_than_a_read_block_is_cut_off_whole(bool aRecordBefore)
    {
        if (aRecordBefore)
        {
            using var outbox = new DurableOutbox(_dir, 100);
            outbox.Put("t/a", Bytes("1"), false);
        }
        File.AppendAllText(Path.Combine(_dir, "outbox.log"), "{\"put\":2,\"topic\":\"t/snapshot\",\"payload\":\"" + new string('A', 10_000));
        using (var afterCrash = new DurableOutbox(_dir, 100))
        {
            Assert.Equal(1, afterCrash.UnreadableLines);
            afterCrash.Put("t/c", Bytes("3"), false);
        }
        using var reopened = new DurableOutbox(_dir, 100);
        Assert.Equal(aRecordBefore ? ["t/a", "t/c"] : ["t/c"], reopened.Pending().Select(e => e.Topic));
        Assert.Equal(0, reopened.UnreadableLines);
    }

    [Fact]
    public void A_whole_last_record_missing_only_its_newline_is_kept_and_the_next_one_follows_it()
    {
        using (var outbox = new DurableOutbox(_dir, 100))
        {
            outbox.Put("t/a", Bytes("1"), false);
        }
        var log = Path.Combine(_dir, "outbox.log");
        File.WriteAllText(log, File.ReadAllText(log).TrimEnd('\n'));
        using (var afterCrash = new DurableOutbox(_dir, 100))
        {
            Assert.Equal(0, afterCrash.UnreadableLines);
            afterCrash.Put("t/b", Bytes("2"), false);
        }
        using var reopened = new DurableOutbox(_dir, 100);
        Assert.Equal(["t/a", "t/b"], reopened.Pending().Select(e => e.Topic));
        Assert.Equal(0, reopened.UnreadableLines);
    }

    [Fact]
    public void When_full_the_oldest_is_dropped_and_counted()
    {
        using var outbox = new DurableOutbox(_dir, capacity: 2);
        outbox.Put("t/1", Bytes("1"), false);
        outbox.Put("t/2", Bytes("2"), false);
        outbox.Put("t/3", Bytes("3"), false);
        Assert.Equal(["t/2", "t/3"], outbox.Pending().Select(e => e.Topic));
        Assert.Equal(1, outbox.Dropped);
    }

    [Fact]
    public void Acknowledging_twice_or_an_unknown_sequence_changes_nothing()
    {
        using var outbox = new DurableOutbox(_dir, 10);
        var a = outbox.Put("t/a", Bytes("1"), false);
        outbox.Acknowledge(a);
        outbox.Acknowledge(a);
        outbox.Acknowledge(12345);
        Assert.Equal(0, outbox.PendingCount);
    }

    [Fact]
    public void The_log_is_compacted_to_the_pending_messages_and_still_reads_back()
    {
        var log = Path.Combine(_dir, "outbox.log");
        using (var outbox = new DurableOutbox(_dir, 1000, compactAboveBytes: 2000))
        {
            for (var i = 0; i < 100; i++) outbox.Acknowledge(outbox.Put("t/x", Bytes(new string('x', 50)), false));
            outbox.Put("t/kept", Bytes("k"), true);
            Assert.True(new FileInfo(log).Length < 2500, $"log is {new FileInfo(log).Length} bytes");
        }
        using var reopened = new DurableOutbox(_dir, 1000);
        var kept = Assert.Single(reopened.Pending());
        Assert.Equal("t/kept", kept.Topic);
        Assert.True(kept.Retain);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
