using LineWatch.Comms.Mqtt;

namespace LineWatch.Tests.Comms;

public sealed class MqttFailureTests
{
    [Theory]
    [InlineData("NotAuthorized", "Not authorized")]
    [InlineData("BadUserNameOrPassword", "Bad user name or password")]
    [InlineData("ServerUnavailable", "Server unavailable")]
    [InlineData("QoSNotSupported", "QoS not supported")]
    [InlineData("Banned", "Banned")]
    public void Reason_codes_read_as_the_mqtt_specification_words_them(string name, string words) =>
        Assert.Equal(words, MqttFailure.Words(name));
}
