using System.Diagnostics;
using LineWatch.Processing;

namespace LineWatch.Events;

/// <summary>
/// The recent scores of every camera (the last <see cref="Capacity"/> windows, 20 minutes at the default two
/// windows a second) and its latest anomaly map, for the dashboard's chart and heatmap. Written on the inference
/// thread into arrays allocated with a camera slot's first scored window; readers take copies. A slot that passes to a new
/// camera is cleared (<see cref="Forget"/>).
/// </summary>
public sealed class ScoreTimeline : IWindowSink
{
    public const int Capacity = 2400;

    private readonly Ring?[] _rings;
    private readonly long _epochTicks = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _epoch = DateTimeOffset.UtcNow;

    private sealed class Ring
    {
        public readonly long[] Times = new long[Capacity];
        public readonly float[] Scores = new float[Capacity];
        public float[] Map = [];
        public int Next, Count;
    }

    /// <param name="cameras">How many camera slots (<see cref="Configuration.CameraSlots.Capacity"/>).</param>
    public ScoreTimeline(int cameras) => _rings = new Ring?[cameras];

    public void OnWindow(WindowResult window)
    {
        if (window.Score is not { } score) return;
        // Only the inference thread makes rings, so no other ring can be swapped in meanwhile (Forget only takes one out).
        var ring = Volatile.Read(ref _rings[window.CameraIndex]);
        if (ring is null) Volatile.Write(ref _rings[window.CameraIndex], ring = new Ring());
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

    /// <summary>A new camera took the slot of a removed one: its chart starts empty. A window of the removed camera being written
    /// meanwhile goes into the ring dropped here.</summary>
    public void Forget(int camera) => Volatile.Write(ref _rings[camera], null);

    /// <summary>(unix ms, score) of the camera's windows since <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<(long Time, float Score)> Since(int camera, DateTimeOffset since)
    {
        var points = new List<(long, float)>();
        if (Volatile.Read(ref _rings[camera]) is not { } ring) return points;
        var from = since.ToUnixTimeMilliseconds();
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
        if (Volatile.Read(ref _rings[camera]) is not { } ring) return [];
        lock (ring) return ring.Map.ToArray();
    }
}
