namespace LineWatch.Simulation;

/// <summary>When the faults of a demo video happen: each requested type once per four minutes of video (at
/// least once), in shuffled order, evenly spread with jitter and at least 20 s of normal operation before the
/// first and between any two.</summary>
public static class FaultSchedule
{
    private const double NormalGap = 20;

    // A part fault's part is in view for a while before and after it passes the station (up to ~8 s before and
    // ~12 s after on the slowest, widest scenes), so it needs that much room around its start time.
    private const double PartLead = 8, PartTail = 12;
    // A belt fault may run up to a couple of seconds longer once fitted to the belt's pattern.
    private const double BeltSlack = 2;

    public static IReadOnlyList<ScheduledFault> Plan(double seconds, int seed, IReadOnlyList<string> faults)
    {
        if (faults.Count == 0) return [];
        var random = new Random(seed);
        var reserve = faults.Max(type => Lead(type) + Tail(type));
        var repeats = Math.Max(1, (int)(seconds / 240));
        while (repeats > 1 && (seconds - NormalGap) / (repeats * faults.Count) < reserve + NormalGap) repeats--;
        var types = Enumerable.Range(0, repeats).SelectMany(_ => faults.OrderBy(_ => random.Next())).ToList();
        // Never closer than a fault's room plus the normal gap; on a short video the later ones then fall off its end.
        var slot = Math.Max((seconds - NormalGap) / types.Count, reserve + NormalGap);
        var schedule = new List<ScheduledFault>();
        for (var i = 0; i < types.Count; i++)
        {
            var (lead, tail) = (Lead(types[i]), Tail(types[i]));
            var start = NormalGap + lead + i * slot + random.NextDouble() * Math.Max(0, slot - lead - tail - NormalGap);
            if (start + tail > seconds - 1) break;
            schedule.Add(new ScheduledFault(types[i], start, FaultTypes.NominalSeconds(types[i])));
        }
        return schedule;
    }

    private static double Lead(string type) => FaultTypes.KindOf(type) == FaultKind.Part ? PartLead : 0;

    private static double Tail(string type) => FaultTypes.KindOf(type) switch
    {
        FaultKind.Part => PartTail,
        FaultKind.Belt => FaultTypes.NominalSeconds(type) + BeltSlack,
        _ => FaultTypes.NominalSeconds(type),
    };
}
