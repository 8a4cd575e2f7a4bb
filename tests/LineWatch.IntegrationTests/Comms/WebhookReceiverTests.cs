using LineWatch.IntegrationTests.Support;
using static LineWatch.IntegrationTests.Support.WebhookReceiver;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>The webhook tests' stand-in receiver does what it is told, so a test's verdict on the agent is the agent's.</summary>
public sealed class WebhookReceiverTests
{
    [Fact]
    public async Task A_request_left_hanging_when_the_receiver_goes_down_is_not_answered_as_accepted()
    {
        // Seen in CI: HttpListener answers 200 to a request still open when it closes, so an event that the receiver had
        // recorded as hung reached the agent as delivered, and the test then missed it among the accepted ones.
        using var receiver = new WebhookReceiver(Behaviour.Hang);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) }; // still waiting when the receiver goes down
        var send = client.PostAsync(receiver.Url, new StringContent("{}"));
        Eventually.True(() => !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(15), "the request to arrive");

        receiver.Set(Behaviour.Down);

        var outcome = await Xunit.Record.ExceptionAsync(async () => (await send).EnsureSuccessStatusCode());
        Assert.NotNull(outcome);
        Assert.Equal(Behaviour.Hang, Assert.Single(receiver.Requests).Answer);
    }
}
