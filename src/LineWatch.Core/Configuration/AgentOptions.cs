namespace LineWatch.Configuration;

/// <summary>
/// The whole configuration (config/linewatch.json, overridden by LINEWATCH__* environment variables). The
/// top-level section names are a public contract: they may grow, never be renamed.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>Names this agent in MQTT topics and logs; letters, digits, '-' and '_'.</summary>
    public string AgentId { get; set; } = "linewatch";

    /// <summary>Profiles, outbox, snapshots and logs. Relative paths are taken from the config file's folder.</summary>
    public string DataDir { get; set; } = "data";

    public List<CameraOptions> Cameras { get; set; } = [];

    /// <summary>
    /// How many cameras this run of the agent can hold: the per-camera state is laid out for this many at start-up, so
    /// cameras added to the file later start without a restart while fewer than this many names have run since start-up.
    /// </summary>
    public int MaxCameras { get; set; } = 16;
    public ModelOptions Model { get; set; } = new();
    public MqttOptions Mqtt { get; set; } = new();
    public DashboardOptions Dashboard { get; set; } = new();
    public AlertOptions Alerts { get; set; } = new();
    public LearningOptions Learning { get; set; } = new();
    public HistoryOptions History { get; set; } = new();

    public ShiftOptions Shifts { get; set; } = new();

    /// <summary>URLs that receive the alert events as HTTP POSTs, from the same durable outbox as MQTT.</summary>
    public List<WebhookOptions> Webhooks { get; set; } = [];

    public ClipOptions Clips { get; set; } = new();

    public FleetOptions Fleet { get; set; } = new();

    /// <summary>How long a SIGTERM may take to stop everything before the host gives up waiting.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 10;
}
