using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LineWatch.IntegrationTests.Support;

/// <summary>
/// An alert's way out of the agent without the pipeline, composed as AgentHost does it: the database in the options'
/// DataDir, the history, the MQTT publisher and the journal that records an alert in both. Disposed like the agent:
/// the publisher first, then the database.
/// </summary>
internal sealed class AlertPath : IDisposable
{
    public AlertPath(AgentOptions options, string model, ILogger<MqttPublisher>? log = null)
    {
        Database = AgentDatabase.Open(options.DataDir, NullLogger.Instance, options.History.DiskReserveMB * 1024L * 1024);
        Publisher = new MqttPublisher(options, model, Database, log ?? NullLogger<MqttPublisher>.Instance);
        History = new AlertHistory(Database);
        Journal = new AlertJournal(Database, History, [Publisher], NullLogger<AlertJournal>.Instance);
    }

    public AgentDatabase Database { get; }
    public MqttPublisher Publisher { get; }
    public AlertHistory History { get; }
    public AlertJournal Journal { get; }

    public void Start() => Publisher.Start();
    public bool IsConnected => Publisher.IsConnected;
    public int Pending => Publisher.Pending;
    public void OnAlert(AlertNotice notice) => Journal.OnAlert(notice);

    public void Dispose()
    {
        Publisher.Dispose();
        Database.Dispose();
    }
}
