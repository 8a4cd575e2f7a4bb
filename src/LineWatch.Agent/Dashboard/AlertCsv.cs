using System.Globalization;
using System.Text;
using LineWatch.Events;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// The alert history as CSV (<c>/api/alerts.csv</c>), RFC 4180: a header line, CRLF line ends, and a field quoted (its
/// quotes doubled) when it holds a comma, a quote or a line break. Times are UTC, ISO 8601; numbers use '.'.
/// </summary>
internal static class AlertCsv
{
    public const string ContentType = "text/csv; charset=utf-8";
    private static readonly string[] Header = ["id", "camera", "started", "ended", "duration_seconds", "peak", "severity", "acknowledged", "verdict"];

    public static string Write(IEnumerable<AlertRecord> alerts)
    {
        var csv = new StringBuilder();
        Line(csv, Header);
        foreach (var a in alerts)
        {
            Line(csv, [a.Id, a.Camera, Time(a.Started), Time(a.Ended), a.Ended is { } ended ? Number((ended - a.Started).TotalSeconds, 1) : "",
                Number(a.Peak, 3), a.Severity.ToString().ToLowerInvariant(), Time(a.Acknowledged), a.Verdict is { } v ? AlertFeedback.Name(v) : ""]);
        }
        return csv.ToString();
    }

    /// <summary>One field as CSV: as it is, or quoted with its quotes doubled when it needs to be.</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static void Line(StringBuilder csv, IEnumerable<string> fields) => csv.AppendJoin(',', fields.Select(Field)).Append("\r\n");

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

    private static string Number(double value, int digits) => Math.Round(value, digits).ToString(CultureInfo.InvariantCulture);
}
