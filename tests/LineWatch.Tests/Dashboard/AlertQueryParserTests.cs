using LineWatch.Configuration;
using LineWatch.Agent.Dashboard;
using LineWatch.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace LineWatch.Tests.Dashboard;

public sealed class AlertQueryParserTests
{
    private static AlertQuery? Parse(string query, out string error) =>
        AlertQueryParser.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)), name => name is "press" or "line", out error);

    [Fact]
    public void No_parameters_mean_the_newest_50_of_every_camera()
    {
        Assert.Equal(new AlertQuery(), Parse("", out _));
    }

    [Fact]
    public void Every_parameter_is_read()
    {
        var query = Parse("?camera=press&from=2026-12-01T06:00:00Z&to=2026-12-01T08:30:00%2B01:00&verdict=false_alarm&limit=500&offset=100", out var error);
        Assert.Equal("", error);
        Assert.Equal(new AlertQuery("press", new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 7, 30, 0, TimeSpan.Zero),
            VerdictFilter.FalseAlarm, 500, 100), query);
        Assert.Equal(VerdictFilter.None, Parse("?verdict=none", out _)!.Verdict);
        Assert.Equal(VerdictFilter.Confirmed, Parse("?verdict=confirmed", out _)!.Verdict);
        Assert.Equal(TimeSpan.Zero, Parse("?from=2026-12-01T06:00:00", out _)!.From!.Value.Offset); // no offset: UTC
    }

    [Fact]
    public void Severity_is_read_and_the_csv_export_takes_up_to_the_whole_history()
    {
        Assert.Equal(AlertSeverity.Critical, Parse("?severity=critical", out _)!.Severity);
        Assert.Equal(AlertSeverity.Warning, Parse("?severity=warning", out _)!.Severity);
        Assert.Null(Parse("", out _)!.Severity);
        var all = AlertQueryParser.Parse(new QueryCollection(QueryHelpers.ParseQuery("?camera=press")), _ => true, out _, export: true);
        Assert.Equal(HistoryOptions.MaxAlertsLimit, all!.Limit);
        Assert.Equal(5000, AlertQueryParser.Parse(new QueryCollection(QueryHelpers.ParseQuery("?limit=5000")), _ => true, out _, export: true)!.Limit);
        Assert.Null(Parse("?limit=5000", out _)); // the JSON pages stay small
    }

    [Theory]
    [InlineData("?severity=high", "severity: must be warning or critical")]
    [InlineData("?severity=Critical", "severity:")]
    [InlineData("?camera=nope", "camera:")]
    [InlineData("?camera=..%2F..%2Fetc%2Fpasswd", "camera:")]
    [InlineData("?from=yesterday", "from:")]
    [InlineData("?from=2026-12-01", "from:")]
    [InlineData("?to=1733032800", "to:")]
    [InlineData("?from=2026-12-01T08:00:00Z&to=2026-12-01T07:00:00Z", "to: earlier than from")]
    [InlineData("?verdict=acknowledged", "verdict:")]
    [InlineData("?verdict=", "verdict:")]
    [InlineData("?limit=0", "limit:")]
    [InlineData("?limit=501", "limit:")]
    [InlineData("?limit=ten", "limit:")]
    [InlineData("?limit=-1", "limit:")]
    [InlineData("?limit=+5", "limit:")]
    [InlineData("?offset=-1", "offset:")]
    [InlineData("?offset=1000001", "offset:")]
    [InlineData("?offset=99999999999999999999", "offset:")]
    [InlineData("?limit=5&limit=6", "limit: given 2 times")]
    [InlineData("?camera=press&camera=line", "camera: given 2 times")]
    [InlineData("?cam=press", "unknown query parameter 'cam'")]
    public void A_bad_parameter_is_refused_with_an_error_naming_it(string query, string expected)
    {
        Assert.Null(Parse(query, out var error));
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void A_huge_value_is_not_echoed_back_whole()
    {
        Assert.Null(Parse("?camera=" + new string('a', 5000), out var error));
        Assert.True(error.Length < 100, error);
    }
}
