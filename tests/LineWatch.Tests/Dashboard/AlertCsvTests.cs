using LineWatch.Agent.Dashboard;
using LineWatch.Events;

namespace LineWatch.Tests.Dashboard;

public sealed class AlertCsvTests
{
    [Theory]
    [InlineData("press", "press")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("cr\rhere", "\"cr\rhere\"")]
    [InlineData("", "")]
    public void A_field_is_quoted_only_when_it_must_be_and_its_quotes_are_doubled(string value, string expected)
    {
        Assert.Equal(expected, AlertCsv.Field(value));
    }

    [Fact]
    public void Alerts_are_written_with_a_header_utc_times_invariant_numbers_and_crlf_line_ends()
    {
        var started = new DateTimeOffset(2026, 12, 1, 7, 0, 0, TimeSpan.FromHours(1));
        var csv = AlertCsv.Write([
            new AlertRecord("a1", "press", started, started.AddMilliseconds(12_340), 2.34567, AlertSeverity.Critical, true, started.AddMinutes(1), AlertVerdict.FalseAlarm),
            new AlertRecord("a2", "line", started, null, 1.5, AlertSeverity.Warning, false, null, null),
        ]);
        Assert.Equal(
            "id,camera,started,ended,duration_seconds,peak,severity,acknowledged,verdict\r\n" +
            "a1,press,2026-12-01T06:00:00.000Z,2026-12-01T06:00:12.340Z,12.3,2.346,critical,2026-12-01T06:01:00.000Z,false_alarm\r\n" +
            "a2,line,2026-12-01T06:00:00.000Z,,,1.5,warning,,\r\n", csv);
    }
}
