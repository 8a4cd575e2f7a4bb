namespace LineWatch.Simulation;

/// <summary>When the faults of a demo video happen: each requested type once per four minutes of video (at
/// least once), in shuffled order, evenly spread with jitter and at least 20 s of normal operation before the
/// first and between any two.</summary>
public static class FaultSchedule
{
    private const double NormalGap = 20;

    public static IReadOnlyList<ScheduledFault> Plan(double seconds, int seed, IReadOnlyList<string> faults, LineLook look)
    {
        if (faults.Count == 0) return [];
        var random = new Random(seed);
        var reserve = faults.Max(type => Room(type, look).Before + Room(type, look).After);
        var repeats = Math.Max(1, (int)(seconds / 240));
        while (repeats > 1 && (seconds - NormalGap) / (repeats * faults.Count) < reserve + NormalGap) repeats--;
        var types = Enumerable.Range(0, repeats).SelectMany(_ => faults.OrderBy(_ => random.Next())).ToList();
        // Never closer than a fault's room plus the normal gap; on a short video the later ones then fall off its end.
        var slot = Math.Max((seconds - NormalGap) / types.Count, reserve + NormalGap);
        var schedule = new List<ScheduledFault>();
        for (var i = 0; i < types.Count; i++)
        {
            var (before, after) = Room(types[i], look);
            var start = NormalGap + before + i * slot + random.NextDouble() * Math.Max(0, slot - before - after - NormalGap);
            if (start + after > seconds - 1) break;
            schedule.Add(new ScheduledFault(types[i], start, FaultTypes.NominalSeconds(types[i])));
        }
        return schedule;
    }

    /// <summary>How long before and after its start time a fault of this type can show on this line. A part
    /// fault's part is in view from when it enters until it leaves, and the part at the station at the start time
    /// may be up to one group past it; a belt fault lasts its fitted duration.</summary>
    public static (double Before, double After) Room(string type, LineLook look)
    {
        switch (FaultTypes.KindOf(type))
        {
            case FaultKind.Part:
                // The camera's shake can bring up to its margin more of the belt into view.
                var reach = look.PartReach + NuisanceLevel.Of(NuisanceLevel.Max).Margin;
                var before = (look.StationCentre + look.GroupPitch + reach) / look.BeltSpeed;
                var after = (ProductionLineScene.Width + reach - look.StationCentre) / look.BeltSpeed;
                return (before, type == FaultTypes.Missing ? after + look.GroupPitch / (double)look.BeltSpeed : after);
            case FaultKind.Belt:
                return (0, BeltMotion.FittedSeconds(type, FaultTypes.NominalSeconds(type), look, ProductionLineScene.Fps));
            default:
                return (0, FaultTypes.NominalSeconds(type));
        }
    }
}
