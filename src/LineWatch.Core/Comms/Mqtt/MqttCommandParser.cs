using System.Text;
using System.Text.Json;
using LineWatch.Control;
using LineWatch.Events;

namespace LineWatch.Comms.Mqtt;

/// <summary>A command message turned into a <see cref="CameraCommand"/>, or the reason it was not (naming the bad part).</summary>
public readonly record struct ParsedCommand(CameraCommand? Command, string? Error);

/// <summary>
/// Validates command messages (<c>&lt;prefix&gt;/&lt;agent&gt;/&lt;camera&gt;/&lt;feature&gt;/set</c>) before anything acts on them:
/// the topic's camera and feature, the retain flag (a retained command would run again on every reconnect), the
/// size, the encoding and the payload's exact form per feature. Pure: no state is touched here.
/// </summary>
public sealed class MqttCommandParser(Topics topics, Func<string, int> cameraIndex)
{
    public const int MaxPayloadBytes = 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="length">The payload's full length; <paramref name="payload"/> may hold only its first bytes when it is too long.</param>
    public ParsedCommand Parse(string topic, ReadOnlySpan<byte> payload, int length, bool retained)
    {
        if (!topic.StartsWith(topics.Root, StringComparison.Ordinal) || !topic.EndsWith("/set", StringComparison.Ordinal))
        {
            return Fail($"topic {Printable(topic)} is not a command topic ({topics.Root}<camera>/<feature>/set)");
        }
        var middle = topic.AsSpan(topics.Root.Length, topic.Length - topics.Root.Length - "/set".Length);
        var slash = middle.IndexOf('/');
        if (slash <= 0 || middle[(slash + 1)..].Contains('/')) return Fail($"topic {Printable(topic)} must be {topics.Root}<camera>/<feature>/set");
        var cameraName = middle[..slash].ToString();
        var featureName = middle[(slash + 1)..].ToString();
        var camera = cameraIndex(cameraName);
        if (camera < 0) return Fail($"unknown camera {Printable(cameraName)}");
        CameraFeature? known = featureName switch
        {
            "enabled" => CameraFeature.Enabled,
            "learn" => CameraFeature.Learn,
            "feedback" => CameraFeature.Feedback,
            _ => null,
        };
        if (known is not { } feature) return Fail($"unknown feature {Printable(featureName)} (enabled, learn or feedback)");
        if (retained) return Fail("retained commands are ignored: publish commands without the retain flag");
        if (length > MaxPayloadBytes) return Fail($"payload is {length} bytes; at most {MaxPayloadBytes}");
        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return Fail("payload is not UTF-8 text");
        }
        return feature switch
        {
            CameraFeature.Enabled => Word(text, "ON", "OFF") is { } on ? new(new SetEnabled(camera, on), null) : Fail($"enabled takes ON or OFF, not {Printable(text)}"),
            CameraFeature.Learn => Word(text, "start", "stop") is { } start ? new(new SetLearning(camera, start), null) : Fail($"learn takes start or stop, not {Printable(text)}"),
            _ => Feedback(camera, text),
        };
    }

    /// <summary>true for the first word, false for the second, null otherwise; case and surrounding blanks do not matter.</summary>
    private static bool? Word(string text, string yes, string no)
    {
        var word = text.Trim();
        if (word.Equals(yes, StringComparison.OrdinalIgnoreCase)) return true;
        if (word.Equals(no, StringComparison.OrdinalIgnoreCase)) return false;
        return null;
    }

    /// <summary>{"alert_id": "&lt;id&gt;", "verdict": "false_alarm" | "confirmed" | "acknowledged"}, nothing else.</summary>
    private static ParsedCommand Feedback(int camera, string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            return Fail($"feedback is not JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return Fail("feedback must be a JSON object {\"alert_id\": \"…\", \"verdict\": \"false_alarm\"}");
            string? id = null, verdictText = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name is not ("alert_id" or "verdict")) return Fail($"feedback has an unknown field {Printable(property.Name)}");
                if (property.Value.ValueKind != JsonValueKind.String) return Fail($"feedback field {property.Name} must be a string");
                if ((property.Name == "alert_id" ? id : verdictText) is not null) return Fail($"feedback field {property.Name} appears twice");
                if (property.Name == "alert_id") id = property.Value.GetString();
                else verdictText = property.Value.GetString();
            }
            if (!AlertFeedback.IsAlertId(id)) return Fail("feedback needs alert_id: the id of an alert event (letters, digits, '-', at most 64)");
            return AlertFeedback.TryParse(verdictText, out var verdict)
                ? new(new GiveFeedback(camera, id!, verdict), null)
                : Fail($"feedback verdict must be false_alarm, confirmed or acknowledged, not {Printable(verdictText ?? "(missing)")}");
        }
    }

    private static ParsedCommand Fail(string error) => new(null, error);

    /// <summary>Untrusted text quoted in an error: short, on one line, control characters escaped.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder("'");
        foreach (var c in text.Length > 64 ? text[..64] : text) builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        if (text.Length > 64) builder.Append("…");
        return builder.Append('\'').ToString();
    }
}
