namespace LineWatch.Configuration;

/// <summary>How much of the alert history (with its snapshots) the agent's database keeps.</summary>
public sealed class HistoryOptions
{
    /// <summary>The largest <see cref="MaxAlerts"/> allowed: with a snapshot of a few KB each, about a few GB of database.</summary>
    public const int MaxAlertsLimit = 1_000_000;

    /// <summary>The newest this many alerts are kept; the oldest beyond are deleted with their snapshots as new ones start.</summary>
    public int MaxAlerts { get; set; } = 10_000;

    /// <summary>
    /// Alerts that started more than this many days ago and have ended are deleted, when an alert starts and every hour
    /// (0: no age limit, only <see cref="MaxAlerts"/>). An alert still active is kept however old.
    /// </summary>
    public double MaxAgeDays { get; set; }

    /// <summary>The largest <see cref="DiskReserveMB"/> allowed.</summary>
    public const int MaxDiskReserveMB = 1024;

    /// <summary>
    /// Megabytes held in a file beside the database while the disk has room, and given up to it when the disk fills, so
    /// the alerts of a full disk are still recorded until someone frees space (0: no reserve).
    /// </summary>
    public int DiskReserveMB { get; set; } = 16;
}
