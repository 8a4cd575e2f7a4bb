using System.Diagnostics;
using System.Net.Sockets;
using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.IntegrationTests.Support;

namespace LineWatch.IntegrationTests.Comms;

/// <summary>The embedded Mosquitto's supervision, with the real broker behind a launcher script the test can take away.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EmbeddedBrokerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public void A_broker_that_cannot_be_started_again_for_a_while_is_started_once_it_can()
    {
        // What a package upgrade does for a moment: the broker's program is gone when the supervisor restarts it.
        var launcher = _dir.File("mosquitto");
        void Restore()
        {
            File.WriteAllText(launcher, "#!/bin/sh\nexec /usr/sbin/mosquitto \"$@\"\n");
            File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Restore();
        var options = new MqttOptions { Mode = MqttMode.Embedded, Port = MosquittoBroker.FreePort(), MosquittoPath = launcher };
        var log = new LogRecorder<EmbeddedBroker>();
        using var broker = new EmbeddedBroker(options, "box-1", _dir.File("data"), log);
        broker.Start();
        var first = broker.ProcessId ?? throw new InvalidOperationException("the broker did not start");
        Assert.True(Listening(options.Port));

        File.Delete(launcher);
        Process.GetProcessById(first).Kill();
        Eventually.True(() => log.Count("exited with code") > 0, TimeSpan.FromSeconds(10), () => $"the exit in the log:\n{log.Text}");
        Thread.Sleep(TimeSpan.FromSeconds(4)); // the supervisor waits 2 s, then finds no program to start
        Restore();

        Eventually.True(() => broker.ProcessId is { } pid && pid != first && Listening(options.Port), TimeSpan.FromSeconds(15),
            () => $"the broker running again; log:\n{log.Text}");
        Assert.Equal(1, broker.Restarts);
        Assert.True(log.Count("Error: Embedded MQTT broker could not be started again") > 0, log.Text);
    }

    public void Dispose() => _dir.Dispose();
}
