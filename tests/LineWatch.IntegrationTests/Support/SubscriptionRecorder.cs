using System.Collections.Concurrent;
using System.Diagnostics;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// mosquitto_sub running for the whole test, recording every message as (topic, payload). With a client id it
/// keeps a persistent session (clean session off, QoS 1), so QoS 1 messages published while it is
/// reconnecting after a broker restart are queued for it, not lost to it.
/// </summary>
internal sealed class SubscriptionRecorder : IDisposable
{
    private readonly Process _process;

    public SubscriptionRecorder(MosquittoBroker broker, string topic, string? persistentId = null) : this(broker.ClientArguments(), topic, persistentId)
    {
    }

    /// <summary>For a broker the test did not start (the agent's embedded one): plain MQTT on a loopback port.</summary>
    public SubscriptionRecorder(int port, string topic, string? persistentId = null) : this(["-h", "127.0.0.1", "-p", port.ToString()], topic, persistentId)
    {
    }

    private SubscriptionRecorder(IEnumerable<string> connection, string topic, string? persistentId)
    {
        var info = new ProcessStartInfo("/usr/bin/mosquitto_sub") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in connection.Concat(["-q", "1", "-v", "-t", topic])) info.ArgumentList.Add(argument);
        if (persistentId is not null)
        {
            foreach (var argument in new[] { "-c", "-i", persistentId }) info.ArgumentList.Add(argument);
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            var space = line.IndexOf(' ');
            Messages.Enqueue(space < 0 ? (line, "") : (line[..space], line[(space + 1)..]));
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Thread.Sleep(300); // let it subscribe before anything is published
    }

    public ConcurrentQueue<(string Topic, string Payload)> Messages { get; } = new();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
