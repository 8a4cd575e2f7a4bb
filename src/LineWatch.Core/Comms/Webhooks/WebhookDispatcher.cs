using LineWatch.Comms.Mqtt;
using LineWatch.Configuration;
using LineWatch.Events;
using LineWatch.Storage;
using Microsoft.Extensions.Logging;

namespace LineWatch.Comms.Webhooks;

/// <summary>
/// The configured webhooks as one of the <see cref="AlertJournal"/>'s outboxes: every alert event (start, update, end) is
/// queued for each URL in the journal's transaction, with the same JSON as on MQTT, and each <see cref="WebhookEndpoint"/>
/// delivers its queue on its own, so a URL that is down delays only itself.
/// </summary>
public sealed class WebhookDispatcher : IAlertOutbox, IDisposable
{
    private readonly IReadOnlyList<WebhookEndpoint> _endpoints;
    private readonly Topics _topics;
    private readonly string _agent;
    private readonly string _model;

    public WebhookDispatcher(AgentOptions options, string model, AgentDatabase database, ILogger<WebhookDispatcher> logger, TimeProvider? time = null)
    {
        _agent = options.AgentId;
        _model = model;
        _topics = new Topics(options.Mqtt.TopicPrefix, options.AgentId);
        _endpoints = options.Webhooks.Select(w => new WebhookEndpoint(w, options.AgentId, database, logger, time)).ToArray();
        ForgetRemoved(database, logger);
    }

    public IReadOnlyList<WebhookHealth> Health => _endpoints.Select(e => e.Health).ToArray();

    /// <summary>Starts delivering, beginning with what earlier runs left queued.</summary>
    public void Start()
    {
        foreach (var endpoint in _endpoints) endpoint.Start();
        Send();
    }

    public void Queue(DatabaseWrite write, AlertNotice notice)
    {
        if (_endpoints.Count == 0) return;
        var payload = Payload(notice);
        foreach (var endpoint in _endpoints) endpoint.Queue(write, notice.Event.Id, payload);
    }

    public void QueueUnsaved(AlertNotice notice)
    {
        if (_endpoints.Count == 0) return;
        var payload = Payload(notice);
        foreach (var endpoint in _endpoints) endpoint.QueueUnsaved(payload);
    }

    public void Send()
    {
        foreach (var endpoint in _endpoints) endpoint.Send();
    }

    private byte[] Payload(AlertNotice notice) =>
        AlertEventJson.Serialize(notice, _agent, _model, notice.Snapshot is null ? null : _topics.Snapshot(notice.Event.Camera));

    /// <summary>A webhook taken out of the configuration: what still waited for it is deleted, and the count logged.</summary>
    private void ForgetRemoved(AgentDatabase database, ILogger logger)
    {
        try
        {
            Forget(database, logger);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // A full disk: they wait, and are forgotten by the next start that can write.
            logger.LogWarning("Webhooks: events queued for webhooks no longer configured could not be deleted ({Reason})", e.Message);
        }
    }

    private void Forget(AgentDatabase database, ILogger logger)
    {
        using var write = database.BeginWrite();
        using var delete = write.Command("DELETE FROM outbox WHERE destination LIKE 'webhook:%' AND destination NOT IN (SELECT value FROM json_each($kept)) RETURNING destination");
        delete.Parameters.AddWithValue("$kept", System.Text.Json.JsonSerializer.Serialize(_endpoints.Select(e => Outbox.WebhookDestination(e.Name))));
        var removed = new Dictionary<string, int>();
        using (var reader = delete.ExecuteReader())
        {
            while (reader.Read()) removed[reader.GetString(0)] = removed.GetValueOrDefault(reader.GetString(0)) + 1;
        }
        write.Commit();
        foreach (var (destination, count) in removed)
        {
            logger.LogWarning("Webhook {Name} is no longer configured: {Count} event(s) that waited for it are deleted", destination["webhook:".Length..], count);
        }
    }

    /// <summary>Stops every sender; what is queued stays in the database for the next start.</summary>
    public void Stop()
    {
        foreach (var endpoint in _endpoints) endpoint.Stop();
    }

    public void Dispose()
    {
        foreach (var endpoint in _endpoints) endpoint.Dispose();
    }
}
