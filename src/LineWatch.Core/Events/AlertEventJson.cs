using System.Text.Json;
using System.Text.Json.Serialization;

namespace LineWatch.Events;

/// <summary>
/// An alert event's JSON as the outside world receives it (docs/mqtt.md, "Alert events"): the same bytes on the MQTT
/// events topic and in a webhook's POST, so one parser serves both.
/// </summary>
public static class AlertEventJson
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <param name="snapshotTopic">Where the event's snapshot is published (retained), or null when it has none.</param>
    public static byte[] Serialize(AlertNotice notice, string agent, string model, string? snapshotTopic)
    {
        var e = notice.Event;
        return JsonSerializer.SerializeToUtf8Bytes(new Payload(e.Id, e.Phase.ToString().ToLowerInvariant(), agent, e.Camera,
            notice.Started, notice.Time, e.Phase == AlertPhase.End ? notice.Time : null, Math.Round(e.Score, 3), Math.Round(e.Peak, 3), 1.0,
            e.Severity.ToString().ToLowerInvariant(), model, snapshotTopic, notice.Clip), Json);
    }

    private sealed record Payload(string Id, string Type, string Agent, string Camera, DateTimeOffset StartTime, DateTimeOffset Time,
        DateTimeOffset? EndTime, double Score, double Peak, double Threshold, string Severity, string Model, string? SnapshotTopic,
        string? Clip);
}
