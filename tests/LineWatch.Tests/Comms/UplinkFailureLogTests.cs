using LineWatch.Comms.Mqtt;
using LineWatch.Tests.Dashboard;

namespace LineWatch.Tests.Comms;

public class UplinkFailureLogTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void A_refused_or_failed_bridge_is_told_once_per_reason_until_the_repeat_interval_has_passed()
    {
        var log = new UplinkFailureLog(_clock);

        Assert.Equal("Connection Refused: not authorised", log.Failure("1796105188: Connection Refused: not authorised"));
        Assert.Null(log.Failure("1796105190: Connection Refused: not authorised"));
        Assert.Equal("Error creating bridge: Connection refused.", log.Failure("1796105192: Error creating bridge: Connection refused."));
        _clock.Advance(UplinkFailureLog.Repeat);
        Assert.Equal("Connection Refused: not authorised", log.Failure("1796105488: Connection Refused: not authorised"));
    }

    [Fact]
    public void Other_lines_of_the_broker_are_not_failures()
    {
        var log = new UplinkFailureLog(_clock);

        Assert.Null(log.Failure("1796105188: Connecting bridge (step 1) linewatch-uplink (127.0.0.1:18851)"));
        Assert.Null(log.Failure("1796105188: New client connected from 127.0.0.1:53532 as it-agent (p5, c1, k30)."));
        Assert.Null(log.Failure("1796105188: Client local.linewatch-bridge-local-box closed its connection."));
    }
}
