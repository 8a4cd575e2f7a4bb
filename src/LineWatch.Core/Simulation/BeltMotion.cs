namespace LineWatch.Simulation;

/// <summary>
/// How far the belt has travelled, frame by frame, through the belt faults (jam, speed, slow, reverse). Each
/// such fault is fitted so that over its frames the belt falls behind or gets ahead of normal travel by a
/// whole number of pattern periods (one group of parts and its slats): when it ends the line is back in
/// exactly the picture it would have shown without it, so frames after a fault equal the fault-free ones.
/// </summary>
internal sealed class BeltMotion
{
    private sealed record Episode(string Type, int FirstFrame, int Frames, double Multiplier);

    private readonly double _speed;
    private readonly List<Episode> _episodes = [];
    private double _normal;          // travel at normal speed; the belt's position outside belt faults
    private bool _inEpisode;

    public BeltMotion(LineLook look, IEnumerable<ScheduledFault> faults, double fps)
    {
        _speed = look.BeltSpeed;
        foreach (var fault in faults.Where(f => FaultTypes.KindOf(f.Type) == FaultKind.Belt))
        {
            _episodes.Add(Fit(fault, NominalMultiplier(fault.Type), look, fps));
        }
    }

    /// <summary>The belt's travel, px, in the current frame.</summary>
    public double Offset { get; private set; }

    /// <summary>Moves to frame <paramref name="index"/> (frames come in order).</summary>
    /// <returns>The belt fault showing in this frame, if any.</returns>
    public string? Advance(int index, double fps)
    {
        var episode = _episodes.FirstOrDefault(e => index >= e.FirstFrame && index < e.FirstFrame + e.Frames);
        if (index > 0)
        {
            var before = _normal;
            _normal += _speed / fps;
            Offset = episode is null ? _normal : (_inEpisode ? Offset : before) + episode.Multiplier * _speed / fps;
        }
        _inEpisode = episode is not null;
        return episode?.Type;
    }

    /// <summary>The fault's frames and speed: the nominal speed and duration, adjusted so that the travel it gains
    /// or loses is a whole number k of pattern periods (at least one).</summary>
    private static Episode Fit(ScheduledFault fault, double multiplier, LineLook look, double fps)
    {
        var (frames, periods) = FitFrames(multiplier, fault.DurationSeconds, look, fps);
        // Exact in doubles for whole-number inputs, so a jam at the classic scene's figures stands perfectly still.
        var fitted = 1 - Math.Sign(1 - multiplier) * (periods * (double)look.PatternPeriod * fps) / (look.BeltSpeed * (double)frames);
        return new Episode(fault.Type, FirstFrameAt(fault.StartSeconds, fps), frames, fitted);
    }

    /// <summary>How long a belt fault of this type and nominal duration lasts on this line once fitted.</summary>
    public static double FittedSeconds(string type, double seconds, LineLook look, double fps) =>
        FitFrames(NominalMultiplier(type), seconds, look, fps).Frames / fps;

    private static (int Frames, double Periods) FitFrames(double multiplier, double seconds, LineLook look, double fps)
    {
        var period = (double)look.PatternPeriod;
        var change = Math.Abs(1 - multiplier);
        var periods = Math.Max(1, Math.Round(change * look.BeltSpeed * seconds / period));
        return ((int)Math.Max(1, Math.Round(periods * period * fps / (change * look.BeltSpeed))), periods);
    }

    private static double NominalMultiplier(string type) => type switch
    {
        FaultTypes.Jam => 0.0,
        FaultTypes.Speed => 1.8,
        FaultTypes.Slow => 0.5,
        FaultTypes.Reverse => -1.0,
        _ => throw new ArgumentException($"no belt motion for '{type}'"),
    };

    /// <summary>The first frame whose time is at or after <paramref name="seconds"/>, by the same test the scene uses.</summary>
    public static int FirstFrameAt(double seconds, double fps)
    {
        var frame = Math.Max(0, (int)Math.Ceiling(seconds * fps));
        while (frame > 0 && (frame - 1) / fps >= seconds) frame--;
        while (frame / fps < seconds) frame++;
        return frame;
    }
}
