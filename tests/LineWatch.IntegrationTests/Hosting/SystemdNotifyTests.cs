using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using LineWatch.IntegrationTests.Processing;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Hosting;

/// <summary>The real agent started as systemd starts a Type=notify service with a watchdog: a datagram socket in $NOTIFY_SOCKET.</summary>
public sealed class SystemdNotifyTests(SmallModel model) : IClassFixture<SmallModel>, IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void The_agent_reports_ready_status_watchdog_pings_and_stopping()
    {
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 500 };
        manager.Bind(new UnixDomainSocketEndPoint(_dir.File("notify")));
        var messages = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var listener = new Thread(() =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, manager.Receive(buffer)));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    // poll the stop flag
                }
            }
        }) { IsBackground = true };
        listener.Start();

        // The embedded broker is started too: it links libsystemd, and must not notify in the agent's name.
        var config = _dir.File("linewatch.json");
        File.WriteAllText(config, $$"""
            {
              "AgentId": "it-notify",
              "DataDir": "data",
              "Cameras": [ { "Name": "vtest", "Source": "{{TestPaths.Vtest}}", "AnalysisFps": 5, "Loop": true } ],
              "Model": { "Path": "{{model.Path}}", "Device": "cpu" },
              "Mqtt": { "Mode": "embedded", "Port": {{MosquittoBroker.FreePort()}} },
              "ShutdownTimeoutSeconds": 5
            }
            """);
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = _dir.File("notify"), ["WATCHDOG_USEC"] = "2000000" };
        using var agent = AgentProcess.Start(environment, "run", "--config", config);

        Eventually.True(() => messages.Any(m => m.StartsWith("READY=1", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "READY=1\n" + agent.Output);
        Eventually.True(() => messages.Count(m => m.Contains("WATCHDOG=1")) >= 3, TimeSpan.FromSeconds(10), "three watchdog pings (one a second)");
        Eventually.True(() => messages.Any(m => m.Contains("STATUS=1/1 cameras streaming")), TimeSpan.FromSeconds(20), "a status line with the camera streaming");
        agent.Signal(AgentProcess.SigTerm);
        Assert.True(agent.WaitForExit(TimeSpan.FromSeconds(15)), agent.Output);
        Eventually.True(() => messages.Any(m => m.StartsWith("STOPPING=1", StringComparison.Ordinal)), TimeSpan.FromSeconds(2), "STOPPING=1");
        stop.Cancel();
        listener.Join();

        Assert.Equal(0, agent.ExitCode);
        Assert.Single(messages, m => m.Contains("READY=1"));
        Assert.Contains("systemd notification socket", agent.Output);
        Assert.Equal("STOPPING=1\nSTATUS=stopping", messages.Last());
    }

    public void Dispose() => _dir.Dispose();
}
