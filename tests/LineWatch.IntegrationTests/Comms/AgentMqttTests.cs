using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LineWatch.IntegrationTests.Support;
using LineWatch.Processing;
using LineWatch.Scoring;
using Xunit.Abstractions;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>
/// The MQTT contract of the running agent process (real alerts from a learned camera, a real Mosquitto,
/// mosquitto_sub / mosquitto_pub as the independent clients): commands, malformed input, outages, crashes.
/// </summary>
[Collection(LearnedLineCollection.Name)]
public sealed partial class AgentMqttTests(LearnedLine line, ITestOutputHelper report) : IDisposable
{
    private const string Prefix = "it/it-agent";
    private readonly TempDirectory _dir = new();
    private string? _dataDir;

    private string DataDir => _dataDir ??= line.NewDataDir(_dir.Path);

    private string WriteConfig(int port, string mqtt = "", string mode = "external", string host = "127.0.0.1", string alerts = "\"CooldownSeconds\": 1")
    {
        var path = _dir.File("linewatch.json");
        File.WriteAllText(path, $$"""
            {
              "AgentId": "it-agent",
              "DataDir": "{{DataDir}}",
              "Cameras": [ { "Name": "line", "Source": "{{line.Faulty.VideoPath}}", "AnalysisFps": 8, "Stride": 4, "Loop": true } ],
              "Model": { "Path": "{{line.ModelPath}}", "Device": "cpu" },
              "Mqtt": { "Mode": "{{mode}}", "Host": "{{host}}", "Port": {{port}}, "TopicPrefix": "it", "KeepAliveSeconds": 5 {{mqtt}} },
              "Alerts": { {{alerts}} },
              "Dashboard": { "Enabled": false },
              "ShutdownTimeoutSeconds": 5
            }
            """);
        return path;
    }

    private static AgentProcess StartAgent(string config)
    {
        var agent = AgentProcess.Start("run", "--config", config);
        Assert.True(agent.WaitForOutput("Analysis started", TimeSpan.FromSeconds(30)), agent.Output);
        return agent;
    }

    /// <summary>(id, phase) of the start and end events the agent logged (it logs each once the journal committed it to the database).</summary>
    private static HashSet<(string Id, string Type)> LoggedEvents(string output) =>
        [.. LoggedAlert().Matches(output).Select(m => (m.Groups[1].Value, m.Groups[2].Value == ":" ? "start" : "end"))];

    private static HashSet<(string Id, string Type)> Received(SubscriptionRecorder events) =>
        [.. events.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement).Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("type").GetString()!))];

    [GeneratedRegex(@"Alert ([0-9a-f]{32}) on line(:| ended)")]
    private static partial Regex LoggedAlert();

    [Fact]
    public void Commands_switch_analysis_give_feedback_and_thousands_of_malformed_ones_change_nothing()
    {
        using var broker = new MosquittoBroker(logMessages: true);
        using var events = new SubscriptionRecorder(broker, $"{Prefix}/line/events");
        using var errors = new SubscriptionRecorder(broker, $"{Prefix}/errors");
        // An independent witness of what the agent was given: the broker's own log of the commands it sent to the agent's
        // client and of those the client acknowledged, so every acknowledged one must be accounted for by the agent as
        // applied, rejected or dropped (the count that once hid DropWrite's silent drops), and nothing beyond what was sent.
        // Not another subscriber's count, nor the sends alone: a command sent as the agent's session ended (a reconnect
        // mid-flood under load, seen in CI) may never have been read, which is the broker's business, not a silent drop.
        static bool IsCommand(string topic) => topic.StartsWith($"{Prefix}/", StringComparison.Ordinal) && topic.EndsWith("/set", StringComparison.Ordinal);
        int SentToAgent() => broker.SentTo("it-agent", IsCommand);
        int AcknowledgedByAgent() => broker.AcknowledgedBy("it-agent", IsCommand);
        int AgentSessions() => broker.Log.Split('\n').Count(line => line.Contains("New client connected") && line.Contains(" as it-agent "));
        using var agent = StartAgent(WriteConfig(broker.Port));
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/enabled/state", 1) == "ON", TimeSpan.FromSeconds(15), "the retained enabled state");
        Assert.Contains("\"state\":\"idle\"", broker.ReadOne($"{Prefix}/line/learn/state"));

        // Feedback on a real alert.
        Eventually.True(() => !events.Messages.IsEmpty, TimeSpan.FromSeconds(60), "a first alert");
        var alertId = JsonDocument.Parse(events.Messages.First().Payload).RootElement.GetProperty("id").GetString()!;
        broker.Publish($"{Prefix}/line/feedback/set", $$"""{"alert_id":"{{alertId}}","verdict":"confirmed"}""");
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/feedback/state", 1)?.Contains(alertId) == true, TimeSpan.FromSeconds(10), "the feedback answer");
        Assert.Contains("\"verdict\":\"confirmed\"", broker.ReadOne($"{Prefix}/line/feedback/state"));

        // The flood: random bytes, wrong JSON types, unknown cameras and features, a huge payload, a retained command.
        var profileHash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(ProfileStore.PathFor(DataDir, "line"))));
        var random = new Random(7);
        var sent = 0;
        // Sent in bursts of up to 1,000 (each burst as fast as mosquitto_pub goes), each answered before the next.
        void Flood(string topic, Func<int, string> payload, int count)
        {
            var file = _dir.File("lines.txt");
            File.WriteAllLines(file, Enumerable.Range(0, count).Select(payload));
            broker.Publish(topic, linesFile: file);
            sent += count;
            Settle();
        }
        // A burst is answered when a marker sent after it is: the agent handles commands in order, one at a time. Not "no
        // error for a second", which a stall under load mistakes for the end (seen in CI: the next commands then met a
        // full queue and were dropped, as designed, so their answers never came). The marker goes again until answered,
        // since a full queue drops it too.
        var markers = 0;
        void Settle()
        {
            var marker = $"settle-{++markers}";
            Answered(() => broker.Publish($"{Prefix}/{marker}/enabled/set", "ON"), $"unknown camera '{marker}'", "the agent to answer the burst");
        }
        // Publishes until an error containing the fragment arrives (a command is lost when the queue is full, or when it
        // reaches the broker while the agent's session is being renewed; both are counted, not errors of the agent).
        void Answered(Action publish, string fragment, string what)
        {
            bool Seen() => errors.Messages.Any(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("error").GetString()!.Contains(fragment, StringComparison.Ordinal));
            for (var attempt = 1; ; attempt++)
            {
                publish();
                sent++;
                try
                {
                    Eventually.True(Seen, TimeSpan.FromSeconds(20), what);
                    return;
                }
                catch (TimeoutException) when (attempt < 6)
                {
                }
            }
        }
        string RandomText(int i) => "x" + new string(Enumerable.Range(0, random.Next(0, 300)).Select(_ => (char)random.Next(1, 0xD7FF)).Where(c => c != '\n' && c != '\r').ToArray());
        string[] wrongJson = ["{}", "[]", "null", "42", "\"false_alarm\"", """{"alert_id":1,"verdict":"confirmed"}""", """{"alert_id":"a","verdict":true}""",
            """{"alert_id":"a","verdict":"false_alarm","extra":{}}""", """{"alert_id":"../../x","verdict":"confirmed"}""", "{\"alert_id\":", """{"alert_id":"0000","verdict":"false_alarm"}"""];
        Flood($"{Prefix}/line/enabled/set", RandomText, 1000);
        Flood($"{Prefix}/line/learn/set", RandomText, 1000);
        Flood($"{Prefix}/line/feedback/set", i => i % 2 == 0 ? wrongJson[i / 2 % wrongJson.Length] : RandomText(i), 1000);
        Flood($"{Prefix}/no-such-camera/enabled/set", _ => "OFF", 500);
        Flood($"{Prefix}/line/zoom/set", _ => "ON", 500);
        var huge = _dir.File("huge.bin");
        File.WriteAllBytes(huge, RandomNumberGenerator.GetBytes(2_000_000));
        Answered(() => broker.Publish($"{Prefix}/line/enabled/set", payloadFile: huge), "payload is 2000000 bytes", "the answer to a 2 MB command");
        Answered(() => broker.Publish($"{Prefix}/line/enabled/set", "OFF", retain: true), "retained commands are ignored", "the answer to a retained command");
        Settle();
        var acknowledged = AcknowledgedByAgent(); // the flood and the valid feedback command above
        Assert.True(acknowledged >= 3000, $"only {acknowledged} of the {sent} commands reached the agent ({AgentSessions()} session(s))");

        // Every one is applied (the feedback) or answered with an error (or counted as dropped when the queue was full), and nothing changed.
        JsonElement stats = default;
        long Handled() => stats.GetProperty("commands_applied").GetInt64() + stats.GetProperty("commands_rejected").GetInt64() + stats.GetProperty("commands_dropped").GetInt64();
        try
        {
            Eventually.True(() =>
            {
                if (broker.ReadOne($"{Prefix}/stats", 5) is not { } json) return false;
                stats = JsonDocument.Parse(json).RootElement;
                return Handled() >= acknowledged;
            }, TimeSpan.FromSeconds(60), $"all {acknowledged} commands the agent acknowledged (of {sent} published) to be counted applied, rejected or dropped");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last stats: {stats}; errors received: {errors.Messages.Count}; agent sessions: {AgentSessions()}; agent exited: {agent.HasExited}");
        }
        Assert.InRange(Handled(), acknowledged, SentToAgent());
        Assert.Equal(1, stats.GetProperty("commands_applied").GetInt64());
        Assert.False(agent.HasExited);
        Eventually.True(() => errors.Messages.Count >= stats.GetProperty("commands_rejected").GetInt64(), TimeSpan.FromSeconds(20), "an error message per rejection");
        var reasons = errors.Messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("error").GetString()!).ToList();
        var kinds = string.Join(" | ", reasons.Select(r => r.Split(',', '\'')[0]).Distinct());
        Assert.True(reasons.Any(r => r.Contains("unknown camera 'no-such-camera'")), kinds);
        Assert.Equal("ON", broker.ReadOne($"{Prefix}/line/enabled/state"));
        Assert.Contains("\"state\":\"idle\"", broker.ReadOne($"{Prefix}/line/learn/state"));
        Assert.Equal(profileHash, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(ProfileStore.PathFor(DataDir, "line")))));
        Assert.True(agent.Output.Split('\n').Count(l => l.Contains("rejected")) <= 12, "rejections are logged rate-limited");

        // The agent still obeys a valid command after the flood, and keeps analysing.
        var scored = stats.GetProperty("cameras")[0].GetProperty("windows_scored").GetInt64();
        broker.Publish($"{Prefix}/line/enabled/set", "OFF");
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/enabled/state", 1) == "OFF", TimeSpan.FromSeconds(10), "the camera switched off");
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/state", 2)?.Contains("\"state\":\"disabled\"") == true, TimeSpan.FromSeconds(15), "the camera state 'disabled'");
        Assert.True(scored > 0);
    }

    [Fact]
    public void No_event_is_lost_when_the_broker_is_down_for_20_s_or_the_agent_is_killed_with_events_pending()
    {
        using var broker = new MosquittoBroker(persistence: true);
        using var events = new SubscriptionRecorder(broker, $"{Prefix}/line/events", persistentId: "it-no-loss");
        var config = WriteConfig(broker.Port);
        var output = new StringBuilder();
        var agent = StartAgent(config);
        try
        {
            Eventually.True(() => !events.Messages.IsEmpty, TimeSpan.FromSeconds(60), "a first alert");

            // Outage: 20 s, and at least until the agent raised an alert meanwhile.
            var before = LoggedEvents(agent.Output).Count;
            broker.Stop();
            Thread.Sleep(20_000);
            Eventually.True(() => LoggedEvents(agent.Output).Count > before, TimeSpan.FromSeconds(40), "an alert during the outage");
            broker.Start();

            // Crash: the broker is away again, an event is produced, the agent is killed before it can deliver it.
            Eventually.True(() => Received(events).IsSupersetOf(LoggedEvents(agent.Output)), TimeSpan.FromSeconds(60), "the outage's events after the broker came back");
            before = LoggedEvents(agent.Output).Count;
            broker.Stop();
            Eventually.True(() => LoggedEvents(agent.Output).Count > before, TimeSpan.FromSeconds(45), "an alert while the broker is away");
            agent.Signal(9); // logged means committed: no grace needed
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(10)));
            output.Append(agent.Output);
            agent.Dispose();
            broker.Start();
            agent = StartAgent(config);

            var produced = LoggedEvents(output.ToString());
            Eventually.True(() => Received(events).IsSupersetOf(produced), TimeSpan.FromSeconds(60),
                $"every produced event to arrive; missing: {string.Join(", ", produced.Except(Received(events)))}");
            Assert.True(produced.Count >= 3, $"only {produced.Count} events produced");
        }
        finally
        {
            agent.Dispose();
        }
    }

    /// <summary>
    /// kill -9 at random moments while alerts come thick and fast (the threshold just above the normal scores of this
    /// line, no cooldown, so alerts start and end every few seconds): after 1-5 events and up to 2 s more, four times,
    /// then a last run that is stopped cleanly. Every alert any run logged (logged = committed) must be in the
    /// history, with its end where an end was logged; every logged event must reach the persistent subscriber at least
    /// once (ids let it drop the duplicates a crash before a PUBACK causes); and nothing is in the history that the
    /// subscriber never heard of. The random seed is in every failure message.
    /// </summary>
    [Fact]
    public void Killed_at_random_moments_during_a_burst_of_alerts_the_agent_loses_no_alert_from_its_history_or_its_subscribers()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var broker = new MosquittoBroker(persistence: true);
        using var events = new SubscriptionRecorder(broker, $"{Prefix}/line/events", persistentId: "it-kill-9");
        var config = WriteConfig(broker.Port, alerts: LearnedLine.FastAlerts);
        var output = new StringBuilder();
        var kills = new List<int>();
        for (var round = 0; round < 4; round++)
        {
            using var agent = StartAgent(config);
            var target = random.Next(1, 6);
            Eventually.True(() => LoggedEvents(agent.Output).Count >= target, TimeSpan.FromSeconds(90), $"{target} events in round {round} (seed {seed})");
            var delay = random.Next(0, 2000);
            Thread.Sleep(delay);
            agent.Signal(9);
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(10)));
            kills.Add(delay);
            output.Append(agent.Output).Append('\n');
        }
        var last = StartAgent(config);
        try
        {
            // The last run switches the camera off (which ends its alert), delivers what is pending, then stops cleanly.
            Eventually.True(() => LoggedEvents(last.Output).Count > 0, TimeSpan.FromSeconds(60), $"an alert in the last run (seed {seed})");
            broker.Publish($"{Prefix}/line/enabled/set", "OFF");
            Eventually.True(() => broker.ReadOne($"{Prefix}/line/enabled/state", 1) == "OFF", TimeSpan.FromSeconds(10), "the camera switched off");
            Eventually.True(() => Received(events).IsSupersetOf(LoggedEvents(output + last.Output)), TimeSpan.FromSeconds(60),
                $"seed {seed}: every logged event to reach the subscriber; missing: {string.Join(", ", LoggedEvents(output + last.Output).Except(Received(events)))}");
            last.Signal(AgentProcess.SigTerm);
            Assert.True(last.WaitForExit(TimeSpan.FromSeconds(20)), "the last run did not stop");
            output.Append(last.Output);
        }
        finally
        {
            last.Dispose();
        }

        var logged = LoggedEvents(output.ToString());
        var history = AgentDatabaseFile.Read(DataDir, c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT id, ended IS NOT NULL FROM alerts";
            using var reader = command.ExecuteReader();
            var rows = new Dictionary<string, bool>();
            while (reader.Read()) rows[reader.GetString(0)] = reader.GetBoolean(1);
            return rows;
        });
        var context = $"seed {seed}, kills after {string.Join("/", kills)} ms, {logged.Count} events logged, {history.Count} alerts in the history, " +
            $"{events.Messages.Count - Received(events).Count} duplicate deliveries";
        report.WriteLine(context);
        Assert.True(logged.Count >= 8, $"too few events for the test to mean much: {context}");
        Assert.All(logged.Where(e => e.Type == "start"), e => Assert.True(history.ContainsKey(e.Id), $"alert {e.Id} missing from the history; {context}"));
        Assert.All(logged.Where(e => e.Type == "end"), e => Assert.True(history.GetValueOrDefault(e.Id), $"alert {e.Id} ended but not in the history as ended; {context}"));
        var received = Received(events);
        Assert.True(received.IsSupersetOf(logged), $"events logged but never received: {string.Join(", ", logged.Except(received))}; {context}");
        Assert.All(history.Keys, id => Assert.True(received.Contains((id, "start")), $"alert {id} is in the history but its start never reached the subscriber; {context}"));
    }

    [Fact]
    public void Wrong_credentials_are_reported_clearly_and_the_agent_keeps_analysing()
    {
        using var broker = new MosquittoBroker("plant", "right-password");
        using var agent = StartAgent(WriteConfig(broker.Port, ", \"Username\": \"plant\", \"Password\": \"wrong-password\""));
        Assert.True(agent.WaitForOutput("refused the connection", TimeSpan.FromSeconds(20)), agent.Output);
        Assert.Contains("refused the connection: Not authorized", agent.Output);
        Assert.True(agent.WaitForOutput("Alert ", TimeSpan.FromSeconds(60)), "no alert: analysis stopped? " + agent.Output);
        Assert.False(agent.HasExited);
        Assert.DoesNotContain("wrong-password", agent.Output);
        // The alert is logged once the journal committed it: its undeliverable messages wait in the database's outbox.
        Assert.True(AgentDatabaseFile.Count(DataDir, "outbox") > 0, "the undeliverable events to wait in the outbox");
    }

    [Fact]
    public void Home_assistant_discovery_announces_each_camera_on_the_topics_the_agent_really_publishes()
    {
        using var broker = new MosquittoBroker();
        using var agent = StartAgent(WriteConfig(broker.Port, ", \"HomeAssistant\": { \"Enabled\": true }"));
        string? Config(string component, string entity) => broker.ReadOne($"homeassistant/{component}/it-agent_line_{entity}/config", 10);

        using var anomaly = JsonDocument.Parse(Config("binary_sensor", "anomaly") ?? throw new TimeoutException("no binary_sensor config"));
        var root = anomaly.RootElement;
        Assert.Equal("problem", root.GetProperty("device_class").GetString());
        Assert.Equal($"{Prefix}/line/state", root.GetProperty("state_topic").GetString());
        Assert.Contains("value_json.state == 'anomaly'", root.GetProperty("value_template").GetString());
        Assert.Equal($"{Prefix}/status", root.GetProperty("availability_topic").GetString());
        Assert.Equal("linewatch_it-agent", root.GetProperty("device").GetProperty("identifiers")[0].GetString());
        using var score = JsonDocument.Parse(Config("sensor", "score") ?? throw new TimeoutException("no sensor config"));
        Assert.Equal("{{ value_json.score }}", score.RootElement.GetProperty("value_template").GetString());
        using var analysis = JsonDocument.Parse(Config("switch", "analysis") ?? throw new TimeoutException("no switch config"));
        Assert.Equal($"{Prefix}/line/enabled/state", analysis.RootElement.GetProperty("state_topic").GetString());

        // The switch's command topic is the agent's real command: OFF switches analysis off.
        broker.Publish(analysis.RootElement.GetProperty("command_topic").GetString()!, "OFF");
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/enabled/state", 1) == "OFF", TimeSpan.FromSeconds(10), "the switch to act");
        Eventually.True(() => broker.ReadOne($"{Prefix}/line/state", 2)?.Contains("\"state\":") == true, TimeSpan.FromSeconds(15), "the state topic the sensors read");
    }

    [Fact]
    public void An_agent_started_while_its_broker_is_down_connects_when_the_broker_comes_and_delivers_what_it_kept()
    {
        using var broker = new MosquittoBroker(persistence: true);
        using var events = new SubscriptionRecorder(broker, $"{Prefix}/line/events", persistentId: "it-late-broker");
        broker.Stop(); // SIGTERM: the witness's persistent session is saved; nothing listens on the port now
        using var agent = StartAgent(WriteConfig(broker.Port));
        int Lines(string text) => agent.Output.Split('\n').Count(l => l.Contains(text));

        Eventually.True(() => Lines($"nothing accepts connections on 127.0.0.1:{broker.Port}") >= 2, TimeSpan.FromSeconds(30),
            "the refused attempts, named, twice: " + agent.Output);
        Eventually.True(() => LoggedEvents(agent.Output).Count > 0, TimeSpan.FromSeconds(60), "an alert while the broker is down");
        Assert.Equal(0, Lines("MQTT connected"));
        broker.Start();

        Eventually.True(() => Lines("MQTT connected") == 1, TimeSpan.FromSeconds(45), "the connection once the broker is up: " + agent.Output);
        var produced = LoggedEvents(agent.Output);
        Eventually.True(() => Received(events).IsSupersetOf(produced), TimeSpan.FromSeconds(30),
            $"the alerts kept meanwhile; missing: {string.Join(", ", produced.Except(Received(events)))}");
        Assert.Equal("online", broker.ReadOne($"{Prefix}/status"));
    }

    [RootFact("a mount namespace with a private /etc/hosts")]
    public void A_broker_host_name_that_does_not_resolve_is_retried_until_it_does_also_after_a_lost_connection()
    {
        using var broker = new MosquittoBroker(persistence: true);
        using var events = new SubscriptionRecorder(broker, $"{Prefix}/line/events", persistentId: "it-dns");
        var hosts = _dir.File("hosts");
        var withoutName = File.ReadAllText("/etc/hosts");
        File.WriteAllText(hosts, withoutName);
        using var agent = AgentProcess.StartWithHosts(hosts, "run", "--config", WriteConfig(broker.Port, host: "broker.linewatch.test"));
        Assert.True(agent.WaitForOutput("Analysis started", TimeSpan.FromSeconds(30)), agent.Output);
        int Lines(string text) => agent.Output.Split('\n').Count(l => l.Contains(text));
        const string Unresolved = "the host name 'broker.linewatch.test' does not resolve";

        // The name does not resolve at start: named, retried; fixed (in place: the agent's /etc/hosts is this file).
        Eventually.True(() => Lines(Unresolved) >= 2, TimeSpan.FromSeconds(30), "the name's failure, named, twice: " + agent.Output);
        Eventually.True(() => LoggedEvents(agent.Output).Count > 0, TimeSpan.FromSeconds(60), "an alert while the broker cannot be found");
        File.AppendAllText(hosts, "127.0.0.1 broker.linewatch.test\n");
        Eventually.True(() => Lines("MQTT connected") == 1, TimeSpan.FromSeconds(40), "the connection once the name resolves: " + agent.Output);

        // The connection is lost and the name goes too: named and retried again, and back once both are fixed. The
        // connection stays up long enough to count as working first, so the waits start over at 1 s (a connection
        // dropped sooner would keep the waits it had grown to while the name did not resolve).
        Thread.Sleep(ReconnectBackoff.Stable + TimeSpan.FromSeconds(2));
        var before = Lines(Unresolved);
        File.WriteAllText(hosts, withoutName);
        broker.Stop();
        Eventually.True(() => Lines(Unresolved) >= before + 2, TimeSpan.FromSeconds(40), "the name's failure after the loss, twice");
        File.AppendAllText(hosts, "127.0.0.1 broker.linewatch.test\n");
        broker.Start();
        Eventually.True(() => Lines("MQTT connected") == 2, TimeSpan.FromSeconds(40), "the reconnection: " + agent.Output);

        var produced = LoggedEvents(agent.Output);
        Eventually.True(() => Received(events).IsSupersetOf(produced), TimeSpan.FromSeconds(30),
            $"the alerts kept meanwhile; missing: {string.Join(", ", produced.Except(Received(events)))}");
    }

    [Fact]
    public void The_embedded_broker_keeps_what_it_queued_for_an_absent_subscriber_across_an_agent_restart()
    {
        var port = MosquittoBroker.FreePort();
        var config = WriteConfig(port, mode: "embedded");
        var agent = StartAgent(config);
        try
        {
            // A subscriber with a persistent session (clean session off, QoS 1) subscribes once and goes away.
            const string Away = "it-embedded-away";
            new SubscriptionRecorder(port, $"{Prefix}/line/events", persistentId: Away).Dispose();

            // An alert while it is away, seen delivered by a live witness: the broker has queued it for the absent one.
            using var live = new SubscriptionRecorder(port, $"{Prefix}/line/events");
            Eventually.True(() => !live.Messages.IsEmpty, TimeSpan.FromSeconds(60), "an alert while the subscriber is away");
            var missed = Received(live).First();
            Thread.Sleep(1000); // the PUBACK reaches the agent: its outbox will not send the alert again after the restart

            agent.Signal(AgentProcess.SigTerm);
            Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(20)), "the agent did not stop on SIGTERM: " + agent.Output);
            agent.Dispose();
            agent = StartAgent(config);
            Assert.True(agent.WaitForOutput("MQTT connected", TimeSpan.FromSeconds(15)), agent.Output);
            Assert.Contains("0 message(s) pending", agent.Output); // so only the broker's own store can deliver it now

            using var back = new SubscriptionRecorder(port, $"{Prefix}/line/events", persistentId: Away);
            Eventually.True(() => Received(back).Contains(missed), TimeSpan.FromSeconds(30), $"the alert {missed} queued before the restart");
        }
        finally
        {
            agent.Dispose();
        }
    }

    public void Dispose() => _dir.Dispose();
}
