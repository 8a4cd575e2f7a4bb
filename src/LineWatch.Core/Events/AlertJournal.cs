using LineWatch.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LineWatch.Events;

/// <summary>Where an alert's messages for the outside world wait (the MQTT outbox, the webhooks'): queued in the journal's transaction, sent after it.</summary>
public interface IAlertOutbox
{
    /// <summary>Queues the alert's messages within <paramref name="write"/>.</summary>
    void Queue(DatabaseWrite write, AlertNotice notice);

    /// <summary>The database could not take them (a full disk): keep them in memory and send them all the same.</summary>
    void QueueUnsaved(AlertNotice notice);

    /// <summary>Something new was queued: send it (without waiting).</summary>
    void Send();
}

/// <summary>
/// Records each alert event once, durably: its row in the <see cref="AlertHistory"/> and its messages in every outbox, in
/// one SQLite transaction, committed (fsynced) before this returns. So a crash at any point leaves both or neither: an
/// alert a subscriber heard of is in the history, and one in the history was or will be published. Runs on the
/// inference thread (as the outbox's write did before); sending happens elsewhere. A database that cannot be written
/// (a full disk with its reserve given up, <see cref="DiskReserve"/>) must not hold an alert back: it is published from memory
/// and the loss of its durability is logged.
/// </summary>
public sealed class AlertJournal(AgentDatabase database, AlertHistory history, IReadOnlyList<IAlertOutbox> outboxes, ILogger<AlertJournal> logger) : IAlertSink
{
    public void OnAlert(AlertNotice notice)
    {
        try
        {
            database.Write(write =>
            {
                history.Record(write, notice);
                foreach (var outbox in outboxes) outbox.Queue(write, notice);
            });
        }
        catch (SqliteException e)
        {
            logger.LogError("Alert {Id} on {Camera} ({Phase}) could not be written to the database ({Reason}): it is published from memory, is missing from the history, and would be lost if the agent restarted before the broker has it",
                notice.Event.Id, notice.Event.Camera, notice.Event.Phase.ToString().ToLowerInvariant(), e.Message);
            foreach (var outbox in outboxes) outbox.QueueUnsaved(notice);
        }
        foreach (var outbox in outboxes) outbox.Send();
    }
}
