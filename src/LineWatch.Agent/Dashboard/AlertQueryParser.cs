using System.Globalization;
using LineWatch.Configuration;
using LineWatch.Events;
using Microsoft.AspNetCore.Http;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// The query string of <c>GET /api/alerts</c>, checked whole before the history is read: <c>camera</c> (a configured
/// camera), <c>from</c> / <c>to</c> (ISO 8601 times, the range the alerts started in), <c>verdict</c> (<c>none</c>,
/// <c>false_alarm</c>, <c>confirmed</c>), <c>severity</c> (<c>warning</c>, <c>critical</c>), <c>limit</c> (1-500, default
/// 50; for the CSV export up to and by default the whole history) and <c>offset</c> (0-1,000,000, the most alerts a
/// history may keep). Anything else, a
/// parameter given twice or a value out of its form is refused with an error that names the parameter.
/// </summary>
internal static class AlertQueryParser
{
    public const int DefaultLimit = 50, MaxLimit = 500;
    private static readonly string[] Known = ["camera", "from", "to", "verdict", "severity", "limit", "offset"];

    /// <returns>The query, or null with <paramref name="error"/> naming the parameter at fault.</returns>
    /// <param name="export">For the CSV export: <c>limit</c> may be up to the whole history, and is that when absent.</param>
    public static AlertQuery? Parse(IQueryCollection query, Func<string, bool> isCamera, out string error, bool export = false)
    {
        error = "";
        foreach (var (name, values) in query)
        {
            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                error = $"unknown query parameter '{Shorten(name)}' (expected {string.Join(", ", Known)})";
                return null;
            }
            if (values.Count != 1)
            {
                error = $"{name}: given {values.Count} times, expected once";
                return null;
            }
        }
        string? Value(string name) => query.TryGetValue(name, out var values) ? values[0] : null;

        var camera = Value("camera");
        if (camera is not null && !isCamera(camera))
        {
            error = $"camera: unknown camera '{Shorten(camera)}'";
            return null;
        }
        if (!TryTime(Value("from"), "from", out var from, ref error) || !TryTime(Value("to"), "to", out var to, ref error)) return null;
        if (from > to)
        {
            error = "to: earlier than from";
            return null;
        }
        VerdictFilter verdict;
        switch (Value("verdict"))
        {
            case null: verdict = VerdictFilter.Any; break;
            case "none": verdict = VerdictFilter.None; break;
            case AlertFeedback.FalseAlarm: verdict = VerdictFilter.FalseAlarm; break;
            case AlertFeedback.Confirmed: verdict = VerdictFilter.Confirmed; break;
            default:
                error = $"verdict: must be none, {AlertFeedback.FalseAlarm} or {AlertFeedback.Confirmed}";
                return null;
        }
        AlertSeverity? severity;
        switch (Value("severity"))
        {
            case null: severity = null; break;
            case "warning": severity = AlertSeverity.Warning; break;
            case "critical": severity = AlertSeverity.Critical; break;
            default:
                error = "severity: must be warning or critical";
                return null;
        }
        var (maxLimit, defaultLimit) = export ? (HistoryOptions.MaxAlertsLimit, HistoryOptions.MaxAlertsLimit) : (MaxLimit, DefaultLimit);
        if (!TryInt(Value("limit"), "limit", 1, maxLimit, defaultLimit, out var limit, ref error)) return null;
        if (!TryInt(Value("offset"), "offset", 0, HistoryOptions.MaxAlertsLimit, 0, out var offset, ref error)) return null;
        return new AlertQuery(camera, from, to, verdict, limit, offset, severity);
    }

    private static bool TryTime(string? text, string name, out DateTimeOffset? time, ref string error)
    {
        time = null;
        if (text is null) return true;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) && text.Contains('T', StringComparison.Ordinal))
        {
            time = parsed;
            return true;
        }
        error = $"{name}: '{Shorten(text)}' is not an ISO 8601 time such as 2026-12-01T06:00:00Z";
        return false;
    }

    private static bool TryInt(string? text, string name, int min, int max, int absent, out int value, ref string error)
    {
        value = absent;
        if (text is null) return true;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max) return true;
        error = $"{name}: must be a whole number {min}-{max}";
        return false;
    }

    /// <summary>Enough of what the client sent to recognise it, not an echo of a megabyte.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
