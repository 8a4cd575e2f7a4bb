namespace LineWatch.Comms.Webhooks;

/// <summary>
/// One webhook as the dashboard and <c>/api/state</c> show it: its name, its URL without secrets, whether it signs, the
/// deliveries waiting, delivered and dropped (outbox full) since the start, and how its latest attempts went.
/// </summary>
public sealed record WebhookHealth(string Name, string Url, bool Signed, int Pending, long Delivered, long Dropped,
    DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure, string? LastError, int ConsecutiveFailures);
