using System.Text.Json;
using System.Text.Json.Serialization;
using LineWatch.Storage;

namespace LineWatch.Evaluation;

/// <summary>One labelled anomaly: frames [StartFrame, EndFrame], both inclusive.</summary>
public sealed record LabelledAnomaly(
    [property: JsonPropertyName("start_frame")] int StartFrame,
    [property: JsonPropertyName("end_frame")] int EndFrame,
    [property: JsonPropertyName("type")] string Type);

/// <summary>
/// The labels file every evaluation reads: <c>{"fps": 25, "frames": N, "anomalies": [{"start_frame": a,
/// "end_frame": b, "type": "jam"}]}</c>. Written by `linewatch demo-video`; any other footage labelled this
/// way can be evaluated the same.
/// </summary>
public sealed record VideoLabels(
    [property: JsonPropertyName("fps")] double Fps,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("anomalies")] IReadOnlyList<LabelledAnomaly> Anomalies)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static VideoLabels Read(string path)
    {
        VideoLabels? labels;
        try
        {
            labels = JsonSerializer.Deserialize<VideoLabels>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a labels file ({e.Message})", e);
        }
        if (labels is null || labels.Anomalies is null) throw new InvalidDataException($"{path}: not a labels file (need fps, frames, anomalies)");
        if (labels.Fps <= 0 || labels.Frames <= 0) throw new InvalidDataException($"{path}: fps and frames must be positive");
        foreach (var a in labels.Anomalies)
        {
            if (a.StartFrame < 0 || a.EndFrame < a.StartFrame || a.EndFrame >= labels.Frames)
            {
                throw new InvalidDataException($"{path}: anomaly '{a.Type}' [{a.StartFrame}, {a.EndFrame}] is outside 0..{labels.Frames - 1} or reversed");
            }
        }
        return labels;
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Whether frame <paramref name="frame"/> lies in a labelled anomaly.</summary>
    public bool IsAnomalous(int frame) => Anomalies.Any(a => frame >= a.StartFrame && frame <= a.EndFrame);
}
