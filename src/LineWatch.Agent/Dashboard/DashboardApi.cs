using System.Text.Json;
using LineWatch.Agent.Hosting;
using LineWatch.Comms.Webhooks;
using LineWatch.Configuration;
using LineWatch.Control;
using LineWatch.Events;
using LineWatch.Record;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LineWatch.Agent.Dashboard;

/// <summary>
/// The JSON API the page uses (and integrators may): state, pictures, scores, alerts, and the same commands as
/// MQTT through <see cref="CameraControl"/>. Every name and id in a path is checked against what exists before
/// it is used (so nothing in a path ever reaches the file system), bodies are small JSON objects of a fixed form.
/// </summary>
internal sealed class DashboardApi(AgentOptions options, CameraSlots slots, AgentStatus status, PipelineService pipeline, CameraControl control,
    AlertHistory history, ScoreTimeline timeline, WebhookDispatcher webhooks, ShiftReport shifts, ClipRecorder clips, RegionsApi regions,
    ConfigReloadService configuration)
{
    public const int MaxBodyBytes = 4096;
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/state", () => Results.Json(State(), Json));
        app.MapGet("/api/cameras/{name}/frame.jpg", (string name) =>
            Camera(name) is not { } i ? NotFound($"unknown camera '{name}'")
            : pipeline.Pipeline?.LiveFrame(i)?.Jpeg() is { } jpeg ? Results.File(jpeg, "image/jpeg") : Results.NoContent());
        app.MapGet("/api/cameras/{name}/scores", (string name, int? minutes) =>
            Camera(name) is not { } i ? NotFound($"unknown camera '{name}'")
            : minutes is < 1 or > 20 ? BadRequest("minutes must be 1-20")
            : Results.Json(timeline.Since(i, DateTimeOffset.UtcNow.AddMinutes(-(minutes ?? 5))).Select(p => new[] { p.Time, Math.Round(p.Score, 3) }), Json));
        app.MapGet("/api/alerts", (HttpContext context) =>
        {
            if (AlertQueryParser.Parse(context.Request.Query, HasRun, out var error) is not { } query) return BadRequest(error);
            var page = history.Query(query);
            // The body stays a plain array (as before paging); how many match in all travels in a header.
            context.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(page.Alerts.Select(Alert), Json);
        });
        app.MapGet("/api/alerts.csv", (HttpContext context) =>
        {
            if (AlertQueryParser.Parse(context.Request.Query, HasRun, out var error, export: true) is not { } query) return BadRequest(error);
            var page = history.Query(query);
            context.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{options.AgentId}-alerts.csv\"";
            return Results.Text(AlertCsv.Write(page.Alerts), AlertCsv.ContentType);
        });
        app.MapGet("/api/summary", () => Results.Json(ShiftSummaryService.Payload(shifts, DateTimeOffset.UtcNow), ShiftSummaryService.Json));
        // The alert's event clip, with range requests, so a player can seek without loading it all.
        app.MapGet("/api/alerts/{id}/clip.mp4", (string id) =>
            !AlertFeedback.IsAlertId(id) ? BadRequest("not an alert id")
            : history.Find(id) is not { } alert ? NotFound($"unknown alert '{id}'")
            : clips.Store.Find(alert.Camera, id) is { } path ? Results.File(path, "video/mp4", enableRangeProcessing: true)
            : NotFound($"no clip for alert '{id}' (none recorded, still being written, or deleted by retention)"));
        app.MapGet("/api/alerts/{id}/snapshot.jpg", (string id) =>
            !AlertFeedback.IsAlertId(id) ? BadRequest("not an alert id")
            : history.Snapshot(id) is { } jpeg ? Results.File(jpeg, "image/jpeg") : NotFound($"no snapshot for alert '{id}'"));
        app.MapPost("/api/cameras/{name}/enabled", async (string name, HttpRequest request) =>
            Camera(name) is not { } i ? NotFound($"unknown camera '{name}'")
            : await Body(request) is not { } body ? BadRequest("expected a JSON object {\"enabled\": true|false}")
            : body.TryGetProperty("enabled", out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False && Only(body, "enabled")
                ? Outcome(control.Apply(new SetEnabled(i, v.GetBoolean()) { By = "dashboard" }))
                : BadRequest("expected {\"enabled\": true|false}"));
        app.MapPost("/api/cameras/{name}/learn", async (string name, HttpRequest request) =>
            Camera(name) is not { } i ? NotFound($"unknown camera '{name}'")
            : await Body(request) is not { } body ? BadRequest("expected a JSON object {\"action\": \"start\"|\"stop\"}")
            : body.TryGetProperty("action", out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is "start" or "stop" && Only(body, "action")
                ? Outcome(control.Apply(new SetLearning(i, v.GetString() == "start") { By = "dashboard" }))
                : BadRequest("expected {\"action\": \"start\"|\"stop\"}"));
        regions.Map(app);
        app.MapPost("/api/alerts/{id}/feedback", async (string id, HttpRequest request) =>
        {
            if (!AlertFeedback.IsAlertId(id)) return BadRequest("not an alert id");
            if (history.Find(id) is not { } alert) return NotFound($"unknown alert '{id}'");
            if (await Body(request) is not { } body || !body.TryGetProperty("verdict", out var v) || v.ValueKind != JsonValueKind.String || !Only(body, "verdict"))
            {
                return BadRequest("expected {\"verdict\": \"acknowledged\"|\"false_alarm\"|\"confirmed\"}");
            }
            if (!AlertFeedback.TryParse(v.GetString(), out var verdict)) return BadRequest("verdict must be acknowledged, false_alarm or confirmed");
            return Outcome(control.Apply(new GiveFeedback(control.IndexOf(alert.Camera), id, verdict) { By = "dashboard" }));
        });
        ProfileVersionsApi.Map(app, control, pipeline);
    }

    public object State()
    {
        var s = status.Current;
        return new
        {
            agent = s.AgentId, version = s.Version, uptime_seconds = s.UptimeSeconds, analysing = s.Analysing, execution_provider = s.ExecutionProvider,
            inference = new { p50_ms = s.InferenceP50Ms, p99_ms = s.InferenceP99Ms, batches = s.InferenceBatches, failures = s.InferenceFailures },
            queue = new { depth = s.QueueDepth, capacity = s.QueueCapacity },
            mqtt = new { connected = s.MqttConnected, broker = $"{options.Mqtt.Host}:{options.Mqtt.Port}", outbox_pending = s.OutboxPending, outbox_dropped = s.OutboxDropped },
            webhooks = webhooks.Health.Select(w => new
            {
                name = w.Name, url = w.Url, signed = w.Signed, pending = w.Pending, delivered = w.Delivered, dropped = w.Dropped,
                last_success = w.LastSuccess, last_failure = w.LastFailure, last_error = w.LastError, consecutive_failures = w.ConsecutiveFailures,
            }),
            threshold = configuration.Current.Options.Alerts.OnScore,
            cameras = s.Cameras.Select(c => new
            {
                name = c.Name, state = c.State, capture = c.Capture, score = c.Score, alert_id = c.AlertId, enabled = c.Enabled,
                learning = new { active = c.Learning.Learning, windows = c.Learning.Windows, started = c.Learning.Started, last_outcome = c.Learning.LastOutcome },
                capture_fps = c.CaptureFps, analysis_fps = c.AnalysisFps, last_frame_time = c.LastFrameTime, last_error = c.LastError,
                clips_dropped = c.ClipsDropped, windows_scored = c.WindowsScored, reconnects = c.Reconnects, stalls = c.Stalls, errors = c.Errors,
                latency_p50_ms = c.LatencyP50Ms, latency_p99_ms = c.LatencyP99Ms, picture = c.Picture,
                map = timeline.LatestMap(c.Slot).Select(v => Math.Round(v, 2)),
                profile = Profile(c.Slot),
                clips = clips.Stats(c.Slot) is { } k ? new
                {
                    recording = k.Recording, current_alert = k.CurrentAlert, written = k.Written, failed = k.Failed, skipped = k.Skipped,
                    frames_dropped = k.FramesDropped, held_seconds = Math.Round(k.HeldSeconds, 1), memory_bytes = k.MemoryBytes, encode_errors = k.EncodeErrors,
                } : null,
            }),
        };
    }

    public object Alert(AlertRecord a) => new
    {
        id = a.Id, camera = a.Camera, started = a.Started, ended = a.Ended, active = a.Active, peak = Math.Round(a.Peak, 3),
        severity = a.Severity.ToString().ToLowerInvariant(), acknowledged = a.Acknowledged,
        verdict = a.Verdict is null ? null : AlertFeedback.Name(a.Verdict),
        snapshot = a.HasSnapshot ? $"/api/alerts/{a.Id}/snapshot.jpg" : null,
        clip = clips.Store.Find(a.Camera, a.Id) is null ? null : ClipStore.Link(a.Id),
    };

    /// <summary>What the camera scores with now: the loaded profile's version and thresholds (null without one).</summary>
    private object? Profile(int camera) => pipeline.Scorer?.ProfileOf(camera) is not { } profile ? null : new
    {
        version = pipeline.Scorer.VersionOf(camera)?.Id, windows = profile.Windows, feedback_windows = profile.FeedbackWindows,
        local_threshold = profile.LocalThreshold, motion_threshold = profile.MotionThreshold, speed_threshold = profile.SpeedThreshold,
        lighting_threshold = profile.LightingThreshold, shift_threshold = profile.ShiftThreshold,
        pattern_threshold = profile.PatternThreshold,
    };

    private int? Camera(string name) => control.IndexOf(name) is var i and >= 0 ? i : null;

    /// <summary>The history can be asked about a camera removed from the configuration since start-up too (its slot taken by another or not): its alerts stay.</summary>
    private bool HasRun(string name) => slots.HasRun(name);

    internal static bool Only(JsonElement body, params string[] properties) => body.EnumerateObject().All(p => properties.Contains(p.Name));

    /// <summary>A small JSON object, or null for anything else (too big, too deep, not JSON, not an object).</summary>
    internal static async Task<JsonElement?> Body(HttpRequest request, int maxBytes = MaxBodyBytes, int maxDepth = 4)
    {
        if (request.ContentLength > maxBytes) return null;
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while ((read = await request.Body.ReadAsync(buffer.AsMemory(length))) > 0)
        {
            length += read;
            if (length > maxBytes) return null;
        }
        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = maxDepth });
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static IResult Outcome(CommandOutcome outcome) =>
        outcome.Applied ? Results.Json(new { ok = true, detail = outcome.Detail }, Json) : Results.Json(new { ok = false, error = outcome.Detail }, Json, statusCode: 409);

    internal static IResult NotFound(string error) => Results.Json(new { error }, Json, statusCode: 404);
    internal static IResult BadRequest(string error) => Results.Json(new { error }, Json, statusCode: 400);
}
