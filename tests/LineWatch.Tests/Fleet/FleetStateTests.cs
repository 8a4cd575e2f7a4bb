using System.Text;
using LineWatch.Fleet;

namespace LineWatch.Tests.Fleet;

public class FleetStateTests
{
    private readonly FleetState _state = new("plant/lw", TimeProvider.System);

    private void Apply(string topic, string payload) => _state.Apply(topic, Encoding.UTF8.GetBytes(payload));

    private static string Event(string id, string type, string time) =>
        $$"""{"id":"{{id}}","type":"{{type}}","agent":"a","camera":"press","time":"{{time}}","peak":2.5,"severity":"critical"}""";

    [Fact]
    public void An_event_the_bridge_delivered_twice_is_listed_once_and_alerts_are_newest_first()
    {
        Apply("plant/lw/a/press/events", Event("x", "start", "2026-12-01T05:00:00Z"));
        Apply("plant/lw/a/press/events", Event("x", "start", "2026-12-01T05:00:00Z"));
        Apply("plant/lw/a/press/events", Event("x", "update", "2026-12-01T05:00:02Z"));
        Apply("plant/lw/a/press/events", Event("x", "end", "2026-12-01T05:00:05Z"));

        var alerts = Assert.Single(_state.Snapshot().Agents).LastAlerts;
        Assert.Equal(["end", "update", "start"], alerts.Select(a => a.Type));
    }

    [Fact]
    public void Online_needs_the_status_and_a_connected_uplink_when_there_is_one()
    {
        Apply("plant/lw/direct/status", "online");
        Apply("plant/lw/bridged/status", "online");
        Apply("plant/lw/bridged/uplink", "0");
        Apply("plant/lw/gone/status", "offline");

        var agents = _state.Snapshot().Agents.ToDictionary(a => a.Id);
        Assert.True(agents["direct"].Online);
        Assert.False(agents["bridged"].Online);
        Assert.False(agents["gone"].Online);
    }

    [Fact]
    public void Malformed_messages_are_counted_and_make_no_agent_appear_and_other_topics_are_ignored()
    {
        Apply("plant/lw/a/status", "online");
        Apply("plant/lw/a/press/state", "not json");
        Apply("plant/lw/b/stats", "[1,2]");
        Apply("plant/lw/c/press/events", """{"id":"x"}""");
        Apply("plant/lw/a/press/enabled/state", "ON");
        Apply("elsewhere/a/status", "online");

        var snapshot = _state.Snapshot();
        var agent = Assert.Single(snapshot.Agents);
        Assert.Equal("a", agent.Id);
        Assert.Empty(agent.Cameras);
        Assert.Equal(3, snapshot.Ignored);
    }

    [Fact]
    public void Camera_states_and_statistics_are_read_from_the_retained_reports()
    {
        Apply("plant/lw/a/stats", """{"version":"1.4.0","execution_provider":"cuda","inference_batch_ms_p50":12.5,"inference_batch_ms_p99":30,"outbox_pending":3}""");
        Apply("plant/lw/a/saw/state", """{"state":"anomaly","score":3.2,"alert_id":"x","analysis_fps":8}""");
        Apply("plant/lw/a/press/state", """{"state":"normal","score":0.4}""");

        var agent = Assert.Single(_state.Snapshot().Agents);
        Assert.Equal(("1.4.0", "cuda", 12.5, 30.0, 3L), (agent.Version, agent.ExecutionProvider, agent.InferenceP50Ms, agent.InferenceP99Ms, agent.OutboxPending));
        Assert.Equal(["press", "saw"], agent.Cameras.Select(c => c.Name));
        Assert.Equal(("anomaly", 3.2, "x"), (agent.Cameras[1].State, agent.Cameras[1].Score, agent.Cameras[1].AlertId));
    }

    [Fact]
    public void A_cleared_camera_state_takes_the_camera_out_of_its_agent_and_is_not_counted_as_malformed()
    {
        Apply("plant/lw/a/saw/state", """{"state":"normal","score":0.4}""");
        Apply("plant/lw/a/press/state", """{"state":"normal","score":0.4}""");

        // What an agent publishes for a camera removed from its configuration: an empty retained message.
        Apply("plant/lw/a/saw/state", "");
        Apply("plant/lw/b/saw/state", "");

        var snapshot = _state.Snapshot();
        var agent = Assert.Single(snapshot.Agents);
        Assert.Equal(["press"], agent.Cameras.Select(c => c.Name));
        Assert.Equal(0, snapshot.Ignored);
    }
}
