using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LineWatch.Comms.Mqtt;

/// <summary>A message waiting for the broker's acknowledgement, in the order it was put.</summary>
public sealed record OutboxEntry(long Sequence, string Topic, byte[] Payload, bool Retain);

/// <summary>
/// Messages that must not be lost (alert events) are written here, and flushed to disk, before they are
/// published, and removed only when the broker acknowledges them, so neither a broker outage nor a crash of
/// the agent loses one: on restart the log is read back and the unacknowledged ones are replayed in order.
/// One append-only file of JSON lines, "put" and "ack" records; it is rewritten with only the pending
/// messages when it has grown well beyond them. Bounded: when <c>capacity</c> messages are pending, the
/// oldest is dropped to make room (counted, so the loss is visible rather than silent). A crash in the middle
/// of a write leaves a last line without its newline; it is repaired on open, before anything is appended.
/// </summary>
public sealed class DurableOutbox : IDisposable
{
    private readonly string _path;
    private readonly int _capacity;
    private readonly long _compactAboveBytes;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, OutboxEntry> _pending = [];
    private FileStream _log;
    private long _next = 1;

    private sealed record Line(
        [property: JsonPropertyName("put")] long? Put,
        [property: JsonPropertyName("ack")] long? Ack,
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("payload")] string? Payload,
        [property: JsonPropertyName("retain")] bool Retain);

    /// <param name="compactAboveBytes">Log size past which an acknowledgement triggers a rewrite with only the pending messages.</param>
    public DurableOutbox(string directory, int capacity, long compactAboveBytes = 4 * 1024 * 1024)
    {
        _compactAboveBytes = compactAboveBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, "outbox.log");
        _capacity = capacity;
        if (File.Exists(_path)) EndWithCompleteLine(lastLineReadable: Load());
        _log = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public int PendingCount
    {
        get
        {
            lock (_lock) return _pending.Count;
        }
    }

    /// <summary>Messages dropped because the outbox was full, since this process started.</summary>
    public long Dropped { get; private set; }

    /// <summary>Lines of the log that could not be read back (a write cut short by a crash), skipped at start.</summary>
    public int UnreadableLines { get; private set; }

    /// <summary>Stores a message durably (flushed to disk before returning) and returns its sequence number.</summary>
    /// <exception cref="IOException">
    /// The log could not be written (a full disk). The message is pending all the same, in memory, and is sent
    /// like the others; only a restart of the agent before the broker acknowledges it would lose it.
    /// </exception>
    public long Put(string topic, byte[] payload, bool retain)
    {
        lock (_lock)
        {
            // Memory first, then the log, so a write that fails leaves the pending set whole.
            long? dropped = null;
            if (_pending.Count >= _capacity)
            {
                dropped = _pending.Keys.First();
                _pending.Remove(dropped.Value);
                Dropped++;
            }
            var sequence = _next++;
            _pending[sequence] = new OutboxEntry(sequence, topic, payload, retain);
            if (dropped is { } oldest) Write(new Line(null, oldest, null, null, false));
            Write(new Line(sequence, null, topic, Convert.ToBase64String(payload), retain));
            return sequence;
        }
    }

    /// <summary>Pending messages, oldest first.</summary>
    public IReadOnlyList<OutboxEntry> Pending()
    {
        lock (_lock) return _pending.Values.ToList();
    }

    /// <summary>The broker has it: forget the message (durably) and compact the log when it has grown large.</summary>
    public void Acknowledge(long sequence)
    {
        lock (_lock)
        {
            if (!_pending.Remove(sequence)) return;
            Write(new Line(null, sequence, null, null, false));
            if (_log.Length > _compactAboveBytes) Compact();
        }
    }

    private void Write(Line line)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line) + "\n");
        _log.Write(bytes);
        _log.Flush(flushToDisk: true);
    }

    /// <summary>Replays the log into the pending set; returns whether its last line could be read.</summary>
    private bool Load()
    {
        var readable = true;
        foreach (var text in File.ReadLines(_path))
        {
            readable = Apply(text);
            if (!readable) UnreadableLines++;
        }
        return readable;
    }

    private bool Apply(string text)
    {
        Line? line;
        try
        {
            line = JsonSerializer.Deserialize<Line>(text);
        }
        catch (JsonException)
        {
            return false;
        }
        if (line?.Put is { } put && line.Topic is not null && line.Payload is not null)
        {
            _pending[put] = new OutboxEntry(put, line.Topic, Convert.FromBase64String(line.Payload), line.Retain);
            _next = Math.Max(_next, put + 1);
            return true;
        }
        if (line?.Ack is { } ack)
        {
            _pending.Remove(ack);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Appending after a last line that has no newline would glue the next record onto it, and that record
    /// would be unreadable at the next start: a message lost after a crash. So a torn last line is cut off (it
    /// was counted as unreadable; its <see cref="Put"/> never returned), and a whole record that only lacks its
    /// newline gets one.
    /// </summary>
    private void EndWithCompleteLine(bool lastLineReadable)
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var afterLastNewline = AfterLastNewline(file);
        if (afterLastNewline == file.Length) return;
        if (lastLineReadable)
        {
            file.Seek(0, SeekOrigin.End);
            file.WriteByte((byte)'\n');
        }
        else
        {
            file.SetLength(afterLastNewline);
        }
        file.Flush(flushToDisk: true);
    }

    /// <summary>The offset just past the file's last newline (0 when it has none), read backwards in blocks.</summary>
    private static long AfterLastNewline(FileStream file)
    {
        var block = new byte[4096];
        var end = file.Length;
        while (end > 0)
        {
            var start = Math.Max(0, end - block.Length);
            file.Seek(start, SeekOrigin.Begin);
            file.ReadExactly(block, 0, (int)(end - start));
            var newline = Array.LastIndexOf(block, (byte)'\n', (int)(end - start) - 1);
            if (newline >= 0) return start + newline + 1;
            end = start;
        }
        return 0;
    }

    /// <summary>Rewrites the log with only the pending messages: temporary file, flushed, then renamed over the log.</summary>
    private void Compact()
    {
        var temporary = _path + ".compact";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            foreach (var entry in _pending.Values)
            {
                stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Line(entry.Sequence, null, entry.Topic, Convert.ToBase64String(entry.Payload), entry.Retain)) + "\n"));
            }
            stream.Flush(flushToDisk: true);
        }
        _log.Dispose();
        File.Move(temporary, _path, overwrite: true);
        _log = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public void Dispose() => _log.Dispose();
}
