using System.Text.Json;
using System.Text.Json.Serialization;

namespace LineWatch.Comms.Mqtt;

/// <summary>
/// Reads the outbox that LineWatch kept before its database: an append-only file of JSON lines, "put" records (a
/// message, its payload in base64) and "ack" records (a sequence the broker took). What was put and never acknowledged
/// is pending. A line a crash cut short cannot be read and is skipped, as that version did. Only for the one-time
/// import on upgrade (<see cref="Outbox.ImportLegacyLog"/>).
/// </summary>
internal static class LegacyOutboxLog
{
    private sealed record Line(
        [property: JsonPropertyName("put")] long? Put,
        [property: JsonPropertyName("ack")] long? Ack,
        [property: JsonPropertyName("topic")] string? Topic,
        [property: JsonPropertyName("payload")] string? Payload,
        [property: JsonPropertyName("retain")] bool Retain);

    public static string PathIn(string dataDir) => Path.Combine(dataDir, "outbox", "outbox.log");

    /// <summary>The pending messages, in the order they were put.</summary>
    public static IReadOnlyList<OutboxMessage> ReadPending(string path)
    {
        var pending = new SortedDictionary<long, OutboxMessage>();
        foreach (var text in File.ReadLines(path))
        {
            Line? line;
            try
            {
                line = JsonSerializer.Deserialize<Line>(text);
            }
            catch (JsonException)
            {
                continue;
            }
            if (line?.Put is { } put && line.Topic is not null && line.Payload is not null && TryBase64(line.Payload) is { } payload)
            {
                pending[put] = new OutboxMessage(line.Topic, payload, line.Retain);
            }
            else if (line?.Ack is { } ack)
            {
                pending.Remove(ack);
            }
        }
        return [.. pending.Values];
    }

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
