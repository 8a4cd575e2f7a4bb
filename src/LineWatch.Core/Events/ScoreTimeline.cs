using System.Diagnostics;
using LineWatch.Processing;

namespace LineWatch.Events;

/// <summary>
/// The recent scores of every camera (the last <see cref="Capacity"/> windows, 20 minutes at the default two
/// windows a second) and its latest anomaly map, for the dashboard's chart and heatmap. Written on the inference
/// thread into arrays allocated up front; readers take copies.
/// </summary>
public sealed class ScoreTimeline : IWindowSink
{
    public const int Capacity = 2400;

    private readonly Ring[] _rings;
    private readonly long _epochTicks = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _epoch = DateTimeOffset.UtcNow;

    private sealed class Ring
    {
        public readonly long[] Times = new long[Capacity];
        public readonly float[] Scores = new float[Capacity];
        public float[] Map = [];
        public int Next, Count;
    }

    public ScoreTimeline(int cameras) => _rings = Enumerable.Range(0, cameras).Select(_ => new Ring()).ToArray();

    public void OnWindow(WindowResult window)
    {
        if (window.Score is not { } score) return;
        var ring = _rings[window.CameraIndex];
        var time = _epoch + Stopwatch.GetElapsedTime(_epochTicks, window.FrameTicks.Span[^1]);
        lock (ring)
        {
            ring.Times[ring.Next] = time.ToUnixTimeMilliseconds();
            ring.Scores[ring.Next] = (float)score;
            ring.Next = (ring.Next + 1) % Capacity;
            ring.Count = Math.Min(Capacity, ring.Count + 1);
            var map = window.AnomalyMap.Span;
            if (ring.Map.Length != map.Length) ring.Map = new float[map.Length];
            map.CopyTo(ring.Map);
        }
    }

    /// <summary>(unix ms, score) of the camera's windows since <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<(long Time, float Score)> Since(int camera, DateTimeOffset since)
    {
        var ring = _rings[camera];
        var from = since.ToUnixTimeMilliseconds();
        var points = new List<(long, float)>();
        lock (ring)
        {
            for (var i = 0; i < ring.Count; i++)
            {
                var slot = (ring.Next - ring.Count + i + Capacity) % Capacity;
                if (ring.Times[slot] >= from) points.Add((ring.Times[slot], ring.Scores[slot]));
            }
        }
        return points;
    }

    /// <summary>The latest window's anomaly map (G x G, 1.0 = threshold), empty before the first scored window.</summary>
    public float[] LatestMap(int camera)
    {
        var ring = _rings[camera];
        lock (ring) return ring.Map.ToArray();
    }
}
