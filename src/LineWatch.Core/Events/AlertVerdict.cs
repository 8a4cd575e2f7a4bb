using System.Text.RegularExpressions;

namespace LineWatch.Events;

public enum AlertVerdict { FalseAlarm, Confirmed }

/// <summary>
/// The outside world's words for operator feedback (MQTT payloads, the dashboard's API): a verdict, or none for a
/// plain acknowledgement; and the form of an alert id as it may be quoted back to us.
/// </summary>
public static partial class AlertFeedback
{
    public const string Acknowledged = "acknowledged", FalseAlarm = "false_alarm", Confirmed = "confirmed";

    public static string Name(AlertVerdict? verdict) => verdict switch
    {
        AlertVerdict.FalseAlarm => FalseAlarm,
        AlertVerdict.Confirmed => Confirmed,
        _ => Acknowledged,
    };

    /// <summary>False for anything but the three words; <paramref name="verdict"/> is null for an acknowledgement.</summary>
    public static bool TryParse(string? text, out AlertVerdict? verdict)
    {
        verdict = text switch { FalseAlarm => AlertVerdict.FalseAlarm, Confirmed => AlertVerdict.Confirmed, _ => null };
        return verdict is not null || text == Acknowledged;
    }

    /// <summary>Letters, digits and '-', at most 64: every id the agent makes, and nothing that could be a path.</summary>
    public static bool IsAlertId(string? id) => id is not null && AlertIdForm().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex AlertIdForm();
}
