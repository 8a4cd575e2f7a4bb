using System.Text;
using LineWatch.Comms.Mqtt;
using LineWatch.Control;
using LineWatch.Events;

namespace LineWatch.Tests.Comms;

public class MqttCommandParserTests
{
    private static readonly string[] Cameras = ["line-1", "press"];
    private readonly MqttCommandParser _parser = new(new Topics("linewatch", "agent"), name => Array.IndexOf(Cameras, name));

    private ParsedCommand Parse(string topic, string payload, bool retained = false)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return _parser.Parse(topic, bytes, bytes.Length, retained);
    }

    [Theory]
    [InlineData("ON", true)]
    [InlineData("off", false)]
    [InlineData(" On\n", true)]
    public void Enabled_takes_on_and_off(string payload, bool expected)
    {
        var parsed = Parse("linewatch/agent/press/enabled/set", payload);
        Assert.Null(parsed.Error);
        Assert.Equal(new SetEnabled(1, expected), parsed.Command);
    }

    [Fact]
    public void Learn_takes_start_and_stop()
    {
        Assert.Equal(new SetLearning(0, true), Parse("linewatch/agent/line-1/learn/set", "start").Command);
        Assert.Equal(new SetLearning(0, false), Parse("linewatch/agent/line-1/learn/set", "STOP").Command);
    }

    [Theory]
    [InlineData("""{"alert_id":"0193ab","verdict":"false_alarm"}""", AlertVerdict.FalseAlarm)]
    [InlineData("""{"verdict":"confirmed","alert_id":"0193ab"}""", AlertVerdict.Confirmed)]
    [InlineData("""{"alert_id":"0193ab","verdict":"acknowledged"}""", null)]
    public void Feedback_takes_an_alert_id_and_a_verdict(string payload, AlertVerdict? verdict)
    {
        var parsed = Parse("linewatch/agent/line-1/feedback/set", payload);
        Assert.Null(parsed.Error);
        Assert.Equal(new GiveFeedback(0, "0193ab", verdict), parsed.Command);
    }

    [Fact]
    public void Profile_takes_a_rollback_to_a_version_or_the_undo_of_a_feedback()
    {
        Assert.Equal(new RollbackProfile(1, 3), Parse("linewatch/agent/press/profile/set", """{"action":"rollback","version":3}""").Command);
        Assert.Equal(new UndoFeedback(0, "0193ab"), Parse("linewatch/agent/line-1/profile/set", """{"alert_id":"0193ab","action":"undo_feedback"}""").Command);
    }

    [Theory]
    [InlineData("""{"action":"rollback","version":0}""", "needs version: a whole number from 1")]
    [InlineData("""{"action":"rollback","version":"3"}""", "needs version")]
    [InlineData("""{"action":"rollback","version":3,"force":true}""", "unknown field 'force'")]
    [InlineData("""{"action":"undo_feedback"}""", "needs alert_id")]
    [InlineData("""{"action":"delete","version":3}""", "action 'delete' is not one of them")]
    [InlineData("3", "profile takes")]
    [InlineData("rollback 3", "not JSON")]
    public void Profile_commands_name_what_is_wrong(string payload, string error)
    {
        var parsed = Parse("linewatch/agent/line-1/profile/set", payload);
        Assert.Null(parsed.Command);
        Assert.Contains(error, parsed.Error);
    }

    [Theory]
    [InlineData("linewatch/agent/nope/enabled/set", "ON", "unknown camera 'nope'")]
    [InlineData("linewatch/agent/line-1/zoom/set", "ON", "unknown feature 'zoom'")]
    [InlineData("linewatch/agent/line-1/Enabled/set", "ON", "unknown feature 'Enabled'")]
    [InlineData("linewatch/agent/line-1/enabled/x/set", "ON", "must be linewatch/agent/<camera>/<feature>/set")]
    [InlineData("linewatch/other/line-1/enabled/set", "ON", "not a command topic")]
    [InlineData("linewatch/agent/line-1/enabled/set", "yes", "enabled takes ON or OFF, not 'yes'")]
    [InlineData("linewatch/agent/line-1/enabled/set", "", "enabled takes ON or OFF, not ''")]
    [InlineData("linewatch/agent/line-1/learn/set", "begin", "learn takes start or stop")]
    [InlineData("linewatch/agent/line-1/feedback/set", "false_alarm", "feedback is not JSON")]
    [InlineData("linewatch/agent/line-1/feedback/set", "[1,2]", "must be a JSON object")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":5,"verdict":"confirmed"}""", "alert_id must be a string")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":"a1","verdict":"maybe"}""", "verdict must be false_alarm, confirmed or acknowledged, not 'maybe'")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":"a1"}""", "not '(missing)'")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":"a1","verdict":"confirmed","x":1}""", "unknown field 'x'")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":"a1","alert_id":"a2","verdict":"confirmed"}""", "alert_id appears twice")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":"../../etc","verdict":"confirmed"}""", "needs alert_id")]
    [InlineData("linewatch/agent/line-1/feedback/set", """{"alert_id":{"a":[[[[1]]]]},"verdict":"confirmed"}""", "not JSON")]
    public void Invalid_commands_are_refused_naming_what_is_wrong(string topic, string payload, string error)
    {
        var parsed = Parse(topic, payload);
        Assert.Null(parsed.Command);
        Assert.Contains(error, parsed.Error);
    }

    [Fact]
    public void Retained_commands_are_refused_so_a_reconnect_does_not_run_them_again()
    {
        var parsed = Parse("linewatch/agent/line-1/enabled/set", "OFF", retained: true);
        Assert.Null(parsed.Command);
        Assert.Contains("retained", parsed.Error);
    }

    [Fact]
    public void Oversized_and_non_utf8_payloads_are_refused()
    {
        Assert.Contains("at most 1024", _parser.Parse("linewatch/agent/line-1/enabled/set", new byte[1024], 5_000_000, false).Error);
        Assert.Contains("not UTF-8", _parser.Parse("linewatch/agent/line-1/enabled/set", [0xff, 0xfe, 0x4f], 3, false).Error);
    }

    [Fact]
    public void Errors_quote_untrusted_text_short_and_on_one_line()
    {
        var parsed = Parse("linewatch/agent/line-1/enabled/set", new string('x', 500) + "\n\u0001");
        Assert.DoesNotContain("\n", parsed.Error);
        Assert.True(parsed.Error!.Length < 200, parsed.Error);
    }

    [Fact]
    public void Thousands_of_random_payloads_on_every_topic_never_throw_and_only_exact_forms_parse()
    {
        var random = new Random(20261122);
        string[] topics =
        [
            "linewatch/agent/line-1/enabled/set", "linewatch/agent/line-1/learn/set", "linewatch/agent/line-1/feedback/set",
            "linewatch/agent/ghost/enabled/set", "linewatch/agent/+/enabled/set", "linewatch/agent//feedback/set",
        ];
        string[] fragments = ["{", "}", "[", "]", "\"alert_id\"", "\"verdict\"", ":", ",", "\"false_alarm\"", "null", "1e999", "\"\\u0000\"", "ON", "start", " "];
        for (var i = 0; i < 5000; i++)
        {
            byte[] payload;
            if (i % 2 == 0)
            {
                payload = new byte[random.Next(0, 2048)];
                random.NextBytes(payload);
            }
            else
            {
                var text = new StringBuilder();
                for (var n = random.Next(0, 30); n > 0; n--) text.Append(fragments[random.Next(fragments.Length)]);
                payload = Encoding.UTF8.GetBytes(text.ToString());
            }
            var topic = topics[random.Next(topics.Length)];
            var parsed = _parser.Parse(topic, payload.AsSpan(0, Math.Min(payload.Length, MqttCommandParser.MaxPayloadBytes)), payload.Length, random.Next(10) == 0);
            Assert.True(parsed.Command is null ^ parsed.Error is null);
            if (parsed.Command is SetEnabled or SetLearning) Assert.Matches("^\\s*(?i:on|off|start|stop)\\s*$", Encoding.UTF8.GetString(payload));
            if (parsed.Command is GiveFeedback) Assert.Contains("alert_id", Encoding.UTF8.GetString(payload));
        }
    }
}
