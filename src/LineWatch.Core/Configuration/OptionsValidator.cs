using System.Text.RegularExpressions;
using LineWatch.Comms.Webhooks;
using LineWatch.Events;

namespace LineWatch.Configuration;

/// <summary>The rules a bound configuration must meet before the agent starts; each error names its key.</summary>
public static partial class OptionsValidator
{
    /// <summary>Empty camera slots cost little (their heavy parts are made when a camera takes one), but not nothing.</summary>
    private const int MaxCameraSlots = 256;

    public static IReadOnlyList<CameraSource> Validate(AgentOptions options, string baseDir, List<ConfigError> errors)
    {
        if (!TopicSafeName().IsMatch(options.AgentId))
        {
            errors.Add(new("AgentId", $"'{options.AgentId}' must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics)"));
        }
        if (options.ShutdownTimeoutSeconds is <= 0 or > 300)
        {
            errors.Add(new("ShutdownTimeoutSeconds", "must be between 0 and 300 seconds"));
        }
        var sources = ValidateCameras(options, baseDir, errors);
        ValidateModel(options.Model, errors);
        ValidateMqtt(options.Mqtt, errors);
        ValidateDashboard(options.Dashboard, errors);
        ValidateWebhooks(options.Webhooks, errors);
        ValidateShifts(options.Shifts, errors);
        ValidateFleet(options, errors);
        var alerts = options.Alerts;
        if (alerts.OnScore <= 0) errors.Add(new("Alerts:OnScore", "must be positive"));
        if (alerts.OffScore <= 0 || alerts.OffScore > alerts.OnScore) errors.Add(new("Alerts:OffScore", $"{alerts.OffScore} must be positive and at most OnScore ({alerts.OnScore})"));
        if (alerts.MinWindows is < 1 or > 100) errors.Add(new("Alerts:MinWindows", $"{alerts.MinWindows} must be 1-100"));
        if (alerts.FastScore < alerts.OnScore) errors.Add(new("Alerts:FastScore", $"{alerts.FastScore} must be at least OnScore ({alerts.OnScore})"));
        if (alerts.FastWindows is < 1 or > 100) errors.Add(new("Alerts:FastWindows", $"{alerts.FastWindows} must be 1-100"));
        if (alerts.CooldownSeconds is < 0 or > 86400) errors.Add(new("Alerts:CooldownSeconds", $"{alerts.CooldownSeconds} must be 0-86400"));
        if (alerts.CriticalScore < alerts.OnScore) errors.Add(new("Alerts:CriticalScore", $"{alerts.CriticalScore} must be at least OnScore"));
        var learning = options.Learning;
        if (learning.Margin is < 1 or > 20) errors.Add(new("Learning:Margin", $"{learning.Margin} must be 1-20"));
        if (learning.MinLightingChange is <= 0 or > 5) errors.Add(new("Learning:MinLightingChange", $"{learning.MinLightingChange} must be above 0 and at most 5"));
        if (learning.MinSpeedChange is <= 0 or > 2) errors.Add(new("Learning:MinSpeedChange", $"{learning.MinSpeedChange} must be above 0 and at most 2"));
        if (learning.HoldOutFraction is < 0.05 or > 0.5) errors.Add(new("Learning:HoldOutFraction", "must be 0.05-0.5"));
        // At least 2, so the version before a false-alarm feedback is still there to undo it.
        if (learning.KeepVersions is < 2 or > 1000) errors.Add(new("Learning:KeepVersions", $"{learning.KeepVersions} must be 2-1000"));
        ValidateHistory(options.History, errors);
        ValidateClips(options.Clips, errors);
        return sources;
    }

    private static void ValidateHistory(HistoryOptions history, List<ConfigError> errors)
    {
        if (history.MaxAlerts is < 1 or > HistoryOptions.MaxAlertsLimit)
        {
            errors.Add(new("History:MaxAlerts", $"{history.MaxAlerts} must be 1-{HistoryOptions.MaxAlertsLimit}"));
        }
        // Written so that NaN fails too.
        if (!(history.MaxAgeDays is >= 0 and <= 36500))
        {
            errors.Add(new("History:MaxAgeDays", $"{history.MaxAgeDays} must be 0 (no age limit) or a number of days up to 36500"));
        }
        if (history.DiskReserveMB is < 0 or > HistoryOptions.MaxDiskReserveMB)
        {
            errors.Add(new("History:DiskReserveMB", $"{history.DiskReserveMB} must be 0 (no reserve) to {HistoryOptions.MaxDiskReserveMB}"));
        }
    }

    private static void ValidateClips(ClipOptions clips, List<ConfigError> errors)
    {
        if (clips.PreRollSeconds is < 0 or > 60) errors.Add(new("Clips:PreRollSeconds", $"{clips.PreRollSeconds} must be 0-60"));
        if (clips.PostRollSeconds is < 0 or > 60) errors.Add(new("Clips:PostRollSeconds", $"{clips.PostRollSeconds} must be 0-60"));
        if (clips.MaxSeconds < clips.PreRollSeconds + 1 || clips.MaxSeconds > 3600)
        {
            errors.Add(new("Clips:MaxSeconds", $"{clips.MaxSeconds} must be at least PreRollSeconds + 1 and at most 3600"));
        }
        if (clips.MaxFps is < 1 or > 60) errors.Add(new("Clips:MaxFps", $"{clips.MaxFps} must be 1-60"));
        if (clips.MaxWidth < 0 || clips.MaxHeight < 0 || (clips.MaxWidth == 0) != (clips.MaxHeight == 0) || clips.MaxWidth is > 0 and < 64 || clips.MaxHeight is > 0 and < 64)
        {
            errors.Add(new("Clips:MaxWidth", $"{clips.MaxWidth}x{clips.MaxHeight}: both 0 (the camera's resolution) or both at least 64"));
        }
        if (clips.JpegQuality is < 30 or > 100) errors.Add(new("Clips:JpegQuality", $"{clips.JpegQuality} must be 30-100"));
        if (clips.Crf is < 0 or > 51) errors.Add(new("Clips:Crf", $"{clips.Crf} must be 0-51"));
        if (clips.RetentionDays is <= 0 or > 3650) errors.Add(new("Clips:RetentionDays", $"{clips.RetentionDays} must be above 0 and at most 3650"));
        if (clips.MaxDiskMegabytes < 10) errors.Add(new("Clips:MaxDiskMegabytes", $"{clips.MaxDiskMegabytes} must be at least 10"));
        if (clips.MinFreeDiskMegabytes < 0) errors.Add(new("Clips:MinFreeDiskMegabytes", $"{clips.MinFreeDiskMegabytes} must not be negative"));
        if (string.IsNullOrWhiteSpace(clips.FfmpegPath)) errors.Add(new("Clips:FfmpegPath", "must name the ffmpeg executable"));
    }

    private static List<CameraSource> ValidateCameras(AgentOptions options, string baseDir, List<ConfigError> errors)
    {
        var sources = new List<CameraSource>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (options.MaxCameras is < 1 or > MaxCameraSlots)
        {
            errors.Add(new("MaxCameras", $"{options.MaxCameras} must be 1-{MaxCameraSlots}"));
        }
        else if (options.Cameras.Count > options.MaxCameras)
        {
            errors.Add(new("MaxCameras", $"{options.MaxCameras} is fewer than the {options.Cameras.Count} cameras configured"));
        }
        for (var i = 0; i < options.Cameras.Count; i++)
        {
            var camera = options.Cameras[i];
            var key = $"Cameras:{i}";
            if (!TopicSafeName().IsMatch(camera.Name))
            {
                errors.Add(new($"{key}:Name", $"'{camera.Name}' must be 1-64 letters, digits, '-' or '_' (it is part of MQTT topics)"));
            }
            else if (!names.Add(camera.Name))
            {
                errors.Add(new($"{key}:Name", $"'{camera.Name}' is used by another camera"));
            }
            if (CameraSource.TryParse(camera.Source, baseDir, options.DataDir, out var source, out var error)) sources.Add(source);
            else errors.Add(new($"{key}:Source", error));
            if (camera.AnalysisFps is <= 0 or > 60) errors.Add(new($"{key}:AnalysisFps", $"{camera.AnalysisFps} must be above 0 and at most 60"));
            if (camera.WatchdogSeconds is < 1 or > 3600) errors.Add(new($"{key}:WatchdogSeconds", $"{camera.WatchdogSeconds} must be between 1 and 3600"));
            if (camera.SettleSeconds is < 0 or > 600) errors.Add(new($"{key}:SettleSeconds", $"{camera.SettleSeconds} must be 0-600"));
            if (camera.Stride is < 1 or > 256) errors.Add(new($"{key}:Stride", $"{camera.Stride} must be 1-256"));
            if (camera.WindowFrames is < 0 or > 256) errors.Add(new($"{key}:WindowFrames", $"{camera.WindowFrames} must be 0 (the model's) or 1-256"));
            if (camera.ImageSize < 0 || camera.ImageSize % 16 != 0) errors.Add(new($"{key}:ImageSize", $"{camera.ImageSize} must be 0 (the model's) or a multiple of 16"));
            if (camera.MaxBackoffSeconds is < 1 or > 3600) errors.Add(new($"{key}:MaxBackoffSeconds", $"{camera.MaxBackoffSeconds} must be between 1 and 3600"));
            RegionRules.Validate(camera.Regions, $"{key}:Regions", errors);
        }
        return sources;
    }

    private static void ValidateModel(ModelOptions model, List<ConfigError> errors)
    {
        if (model.Path.Length == 0) errors.Add(new("Model:Path", "is required (an ONNX file made by `linewatch model build`)"));
        if (model.IntraOpThreads is < 0 or > 256) errors.Add(new("Model:IntraOpThreads", $"{model.IntraOpThreads} must be 0 (automatic) to 256"));
        if (model.ScanKernel is not ("" or "avx512" or "avx2" or "baseline"))
        {
            errors.Add(new("Model:ScanKernel", $"'{model.ScanKernel}' must be empty (the best this CPU runs), avx512, avx2 or baseline"));
        }
        if (model.CudaDeviceId is < 0 or > 64) errors.Add(new("Model:CudaDeviceId", $"{model.CudaDeviceId} must be 0 to 64"));
        if (model.MaxBatch is < 1 or > 64) errors.Add(new("Model:MaxBatch", $"{model.MaxBatch} must be 1-64"));
        if (model.MaxBatchWaitMs is < 0 or > 1000) errors.Add(new("Model:MaxBatchWaitMs", $"{model.MaxBatchWaitMs} must be 0-1000"));
        if (model.QueueCapacity < model.MaxBatch || model.QueueCapacity > 1024) errors.Add(new("Model:QueueCapacity", $"{model.QueueCapacity} must be at least MaxBatch ({model.MaxBatch}) and at most 1024"));
    }

    private static void ValidateMqtt(MqttOptions mqtt, List<ConfigError> errors)
    {
        if (mqtt.Mode == MqttMode.External && string.IsNullOrWhiteSpace(mqtt.Host)) errors.Add(new("Mqtt:Host", "is required when Mode is external"));
        if (mqtt.Host.Length > 0 && Uri.CheckHostName(mqtt.Host) == UriHostNameType.Unknown) errors.Add(new("Mqtt:Host", $"'{mqtt.Host}' is not a host name or IP address"));
        if (mqtt.Port is < 1 or > 65535) errors.Add(new("Mqtt:Port", $"{mqtt.Port} must be 1-65535"));
        if (mqtt.HomeAssistant.Enabled && !TopicPrefix().IsMatch(mqtt.HomeAssistant.DiscoveryPrefix))
        {
            errors.Add(new("Mqtt:HomeAssistant:DiscoveryPrefix", $"'{mqtt.HomeAssistant.DiscoveryPrefix}' must be topic levels of letters, digits, '-', '_' separated by '/'"));
        }
        if (!TopicPrefix().IsMatch(mqtt.TopicPrefix))
        {
            errors.Add(new("Mqtt:TopicPrefix", $"'{mqtt.TopicPrefix}' must be topic levels of letters, digits, '-', '_' separated by '/', without wildcards"));
        }
        if (mqtt.ClientId.Length > 0 && !TopicSafeName().IsMatch(mqtt.ClientId)) errors.Add(new("Mqtt:ClientId", "must be 1-64 letters, digits, '-' or '_'"));
        if (mqtt.ProtocolVersion is not ("3.1.1" or "5")) errors.Add(new("Mqtt:ProtocolVersion", $"'{mqtt.ProtocolVersion}' must be 3.1.1 or 5"));
        if (mqtt.KeepAliveSeconds is < 5 or > 3600) errors.Add(new("Mqtt:KeepAliveSeconds", $"{mqtt.KeepAliveSeconds} must be 5-3600"));
        if (mqtt.Password.Length > 0 && mqtt.Username.Length == 0) errors.Add(new("Mqtt:Username", "is required when a password is set"));
        if (mqtt.Mode == MqttMode.Embedded && mqtt.Tls.Enabled) errors.Add(new("Mqtt:Tls:Enabled", "TLS is for external brokers; the embedded broker listens on 127.0.0.1 only"));
        ValidateTls(mqtt.Tls, "Mqtt:Tls", errors);
        ValidateUplink(mqtt, errors);
    }

    private static void ValidateUplink(MqttOptions mqtt, List<ConfigError> errors)
    {
        var uplink = mqtt.Uplink;
        if (!uplink.Enabled) return;
        if (mqtt.Mode != MqttMode.Embedded) errors.Add(new("Mqtt:Uplink:Enabled", "the uplink is a bridge of the embedded broker; with an external broker, bridge that broker instead"));
        if (string.IsNullOrWhiteSpace(uplink.Host)) errors.Add(new("Mqtt:Uplink:Host", "is required when the uplink is enabled"));
        ValidateRemoteBroker(uplink, "Mqtt:Uplink", errors);
        // The agent writes these into Mosquitto's configuration, one setting a line: a line break would start a setting of its own.
        if (uplink.Username.IndexOfAny(['\r', '\n']) >= 0) errors.Add(new("Mqtt:Uplink:Username", "must not contain a line break"));
        if (uplink.Password.IndexOfAny(['\r', '\n']) >= 0) errors.Add(new("Mqtt:Uplink:Password", "must not contain a line break"));
        if (uplink.KeepAliveSeconds is < 5 or > 3600) errors.Add(new("Mqtt:Uplink:KeepAliveSeconds", $"{uplink.KeepAliveSeconds} must be 5-3600"));
    }

    private static void ValidateFleet(AgentOptions options, List<ConfigError> errors)
    {
        var fleet = options.Fleet;
        if (!fleet.Enabled) return;
        if (!options.Dashboard.Enabled) errors.Add(new("Fleet:Enabled", "the fleet page is part of the dashboard: enable Dashboard too"));
        if (fleet.Host.Length > 0) ValidateRemoteBroker(fleet, "Fleet", errors);
        else if (!options.Mqtt.Uplink.Enabled) errors.Add(new("Fleet:Host", "is required unless Mqtt:Uplink is enabled (then its broker is used)"));
    }

    private static void ValidateRemoteBroker(RemoteBrokerOptions broker, string key, List<ConfigError> errors)
    {
        if (broker.Host.Length > 0 && Uri.CheckHostName(broker.Host) == UriHostNameType.Unknown) errors.Add(new($"{key}:Host", $"'{broker.Host}' is not a host name or IP address"));
        if (broker.Port is < 1 or > 65535) errors.Add(new($"{key}:Port", $"{broker.Port} must be 1-65535"));
        if (broker.Password.Length > 0 && broker.Username.Length == 0) errors.Add(new($"{key}:Username", "is required when a password is set"));
        ValidateTls(broker.Tls, $"{key}:Tls", errors);
    }

    private static void ValidateTls(MqttTlsOptions tls, string key, List<ConfigError> errors)
    {
        if (!tls.Enabled) return;
        if (tls.CaFile.Length == 0) errors.Add(new($"{key}:CaFile", "is required when TLS is enabled"));
        else if (!File.Exists(tls.CaFile)) errors.Add(new($"{key}:CaFile", $"file not found: {tls.CaFile}"));
        if ((tls.CertFile.Length > 0) != (tls.KeyFile.Length > 0)) errors.Add(new($"{key}:CertFile", "a client certificate needs both CertFile and KeyFile"));
        if (tls.CertFile.Length > 0 && !File.Exists(tls.CertFile)) errors.Add(new($"{key}:CertFile", $"file not found: {tls.CertFile}"));
        if (tls.KeyFile.Length > 0 && !File.Exists(tls.KeyFile)) errors.Add(new($"{key}:KeyFile", $"file not found: {tls.KeyFile}"));
    }

    private static void ValidateDashboard(DashboardOptions dashboard, List<ConfigError> errors)
    {
        if (!dashboard.Enabled) return;
        var urls = dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0) errors.Add(new("Dashboard:Urls", "needs at least one URL, e.g. http://127.0.0.1:8080"));
        var exposed = false;
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) || uri.Scheme != "http")
            {
                // The agent has no certificate configuration of its own; TLS belongs to a reverse proxy in front.
                errors.Add(new("Dashboard:Urls", $"'{url}' is not an http:// URL (for HTTPS put a reverse proxy in front)"));
                continue;
            }
            // The web server reads a listen URL its own way: "0.0.0.0@127.0.0.1" is a user part to Uri but a host name to
            // Kestrel, which binds every interface for it. Only the plain form means the same to both.
            if (uri.UserInfo.Length > 0)
            {
                errors.Add(new("Dashboard:Urls", $"'{url}' has a user part ('{uri.UserInfo}@'), which the web server would take as the host: give only http://host:port"));
                continue;
            }
            if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                errors.Add(new("Dashboard:Urls", $"'{url}': only http://host:port is allowed (no path, query or fragment)"));
                continue;
            }
            exposed |= !LoopbackHost.IsLoopback(uri.Host);
        }
        var auth = dashboard.Auth;
        if (exposed && auth.Mode == DashboardAuthMode.None)
        {
            errors.Add(new("Dashboard:Auth:Mode", "the dashboard listens on a non-loopback address, so authentication (token or basic) must be configured"));
        }
        if (auth.Mode == DashboardAuthMode.Token && !Sha256Hex().IsMatch(auth.TokenSha256))
        {
            errors.Add(new("Dashboard:Auth:TokenSha256", "must be the 64-hex-digit SHA-256 of the token"));
        }
        if (auth.Mode == DashboardAuthMode.Basic && (auth.Username.Length == 0 || auth.PasswordHash.Length == 0))
        {
            errors.Add(new("Dashboard:Auth", "basic authentication needs Username and PasswordHash"));
        }
        else if (auth.Mode == DashboardAuthMode.Basic && !PasswordHash.IsWellFormed(auth.PasswordHash))
        {
            errors.Add(new("Dashboard:Auth:PasswordHash", "is not a hash made by `linewatch hash-password` (never put the password itself here)"));
        }
    }

    private static void ValidateShifts(ShiftOptions shifts, List<ConfigError> errors)
    {
        var starts = new HashSet<TimeOnly>();
        for (var i = 0; i < shifts.Starts.Count; i++)
        {
            if (!ShiftCalendar.TryParseStart(shifts.Starts[i], out var start)) errors.Add(new($"Shifts:Starts:{i}", $"'{shifts.Starts[i]}' is not a time of day as HH:mm (e.g. 06:00)"));
            else if (!starts.Add(start)) errors.Add(new($"Shifts:Starts:{i}", $"'{shifts.Starts[i]}' is given twice"));
        }
        if (shifts.Starts.Count > 24) errors.Add(new("Shifts:Starts", "at most 24 shifts a day"));
        if (!ShiftCalendar.TryFindZone(shifts.TimeZone, out _)) errors.Add(new("Shifts:TimeZone", $"'{shifts.TimeZone}' is not a known time zone (an IANA name such as Europe/Berlin, or empty for the machine's)"));
    }

    private static void ValidateWebhooks(List<WebhookOptions> webhooks, List<ConfigError> errors)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < webhooks.Count; i++)
        {
            var webhook = webhooks[i];
            // The name says which entry when the URL cannot be shown (it may hold a password).
            var key = $"Webhooks:{i}";
            if (!TopicSafeName().IsMatch(webhook.Name)) errors.Add(new($"{key}:Name", $"'{webhook.Name}' must be 1-64 letters, digits, '-' or '_'"));
            else if (!names.Add(webhook.Name)) errors.Add(new($"{key}:Name", $"'{webhook.Name}' is used by another webhook"));
            if (WebhookUrl.Parse(webhook.Url, out var error) is null) errors.Add(new($"{key}:Url", $"(webhook '{webhook.Name}') {error}"));
            if (webhook.Secret.Length is > 0 and < 16) errors.Add(new($"{key}:Secret", $"(webhook '{webhook.Name}') must be at least 16 characters, or empty for no signature"));
            if (webhook.TimeoutSeconds is < 1 or > 300) errors.Add(new($"{key}:TimeoutSeconds", $"{webhook.TimeoutSeconds} must be 1-300"));
            if (webhook.MaxBackoffSeconds is < 1 or > 3600) errors.Add(new($"{key}:MaxBackoffSeconds", $"{webhook.MaxBackoffSeconds} must be 1-3600"));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TopicSafeName();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")]
    private static partial Regex TopicPrefix();

    [GeneratedRegex(@"^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
