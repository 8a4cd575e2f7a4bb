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
            "profile" => CameraFeature.Profile,
            _ => null,
        };
        if (known is not { } feature) return Fail($"unknown feature {Printable(featureName)} (enabled, learn, feedback or profile)");
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
            CameraFeature.Profile => Profile(camera, text),
            _ => Feedback(camera, text),
        };
    }

    /// <summary>{"action": "rollback", "version": &lt;n&gt;} or {"action": "undo_feedback", "alert_id": "&lt;id&gt;"}, nothing else.</summary>
    private static ParsedCommand Profile(int camera, string text)
    {
        const string Form = "profile takes {\"action\": \"rollback\", \"version\": <n>} or {\"action\": \"undo_feedback\", \"alert_id\": \"…\"}";
        if (ParseJson("profile command", text, out var error) is not { } document) return error;
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail(Form);
            var action = root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var fields = root.EnumerateObject().Select(p => p.Name).ToArray();
            switch (action)
            {
                case "rollback":
                    if (fields.FirstOrDefault(f => f is not ("action" or "version")) is { } extra) return Fail($"profile rollback has an unknown field {Printable(extra)}");
                    return root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var version) && version > 0
                        ? new(new RollbackProfile(camera, version), null)
                        : Fail("profile rollback needs version: a whole number from 1 (see `linewatch profile list`)");
                case "undo_feedback":
                    if (fields.FirstOrDefault(f => f is not ("action" or "alert_id")) is { } other) return Fail($"profile undo_feedback has an unknown field {Printable(other)}");
                    var id = root.TryGetProperty("alert_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                    return AlertFeedback.IsAlertId(id)
                        ? new(new UndoFeedback(camera, id!), null)
                        : Fail("profile undo_feedback needs alert_id: the id of the alert whose false-alarm feedback is undone");
                default:
                    return Fail($"{Form}; action {Printable(action ?? "(missing)")} is not one of them");
            }
        }
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
        if (ParseJson("feedback", text, out var error) is not { } document) return error;
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

    /// <summary>The payload as a JSON document (the caller disposes it), or null and the failure that says it is not JSON.</summary>
    private static JsonDocument? ParseJson(string what, string text, out ParsedCommand error)
    {
        error = default;
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            error = Fail($"{what} is not JSON: {e.Message}");
            return null;
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
