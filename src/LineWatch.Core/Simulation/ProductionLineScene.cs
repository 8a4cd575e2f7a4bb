namespace LineWatch.Simulation;

/// <summary>
/// A camera's view of a conveyor: parts at a steady rhythm riding a slatted belt past a work station, as a
/// <see cref="LineLook"/> draws it, seen through a <see cref="LineCamera"/> at a <see cref="NuisanceLevel"/>.
/// Renders BGR frames into a caller's buffer; the faults come from a schedule, and the scene reports which
/// frames show one (the labels). The seed drives the camera's drift and noise and each fault's own details;
/// the look and the nuisance level are fixed for the scene's life.
/// </summary>
public sealed class ProductionLineScene
{
    public const int Width = 640, Height = 360;
    public const double Fps = 25;

    /// <summary>A part fault, bound to the slot(s) whose part it replaces.</summary>
    private sealed record PartFault(ScheduledFault Fault, long Slot, int Slots, bool Stacked, double Tilt);

    /// <summary>A fault drawn over the line for a while (arm, smoke) or on its light.</summary>
    private sealed record TimedFault(ScheduledFault Fault, HazeCloud? Haze, LightsFailure? Lights)
    {
        public bool ActiveAt(double t) => t >= Fault.StartSeconds && t < Fault.StartSeconds + Fault.DurationSeconds;
        public double Elapsed(double t) => t - Fault.StartSeconds;
    }

    private readonly LineLook _look;
    private readonly LineCamera _camera;
    private readonly LinePainter _painter;
    private readonly BeltMotion _belt;
    private readonly int _margin;
    private readonly Canvas _background, _canvas, _without;
    private readonly byte[] _withoutFrame = new byte[Width * Height * 3];
    private readonly Dictionary<long, PartFault> _partSlots = [];
    private readonly List<PartFault> _partFaults = [];
    private readonly List<TimedFault> _timedFaults = [];

    public ProductionLineScene(IReadOnlyList<ScheduledFault> faults, int seed, LineLook look, NuisanceLevel nuisance)
    {
        _look = look;
        _camera = new LineCamera(Width, Height, seed, nuisance, look.Pose);
        _margin = _camera.Margin;
        _painter = new LinePainter(look, _margin);
        _background = new Canvas(Width + 2 * _margin, Height + 2 * _margin);
        _canvas = new Canvas(_background.Width, _background.Height);
        _without = new Canvas(_background.Width, _background.Height);
        _painter.DrawBackdrop(_background);
        _belt = new BeltMotion(look, faults, Fps);
        for (var i = 0; i < faults.Count; i++)
        {
            var fault = faults[i];
            // Each fault's own details (which way smoke drifts, how a part fell) come from its own generator, so
            // they never disturb the drift and noise that frames outside the fault share with a fault-free video.
            var random = new Random(unchecked(seed * 1_000_003 + i * 7919 + 1));
            switch (FaultTypes.KindOf(fault.Type))
            {
                case FaultKind.Part:
                    // Bound to the part slot that reaches the work station at the fault's start time.
                    var part = new PartFault(fault, SlotAtStation(fault.StartSeconds), fault.Type == FaultTypes.Missing ? 2 : 1,
                        random.Next(2) == 0, (random.Next(2) == 0 ? -1 : 1) * (0.2 + 0.2 * random.NextDouble()));
                    _partFaults.Add(part);
                    for (var s = 0; s < part.Slots; s++) _partSlots[part.Slot + s] = part;
                    break;
                case FaultKind.Overlay:
                    _timedFaults.Add(new TimedFault(fault, fault.Type == FaultTypes.Haze ? new HazeCloud(random, Width, Height) : null, null));
                    break;
                case FaultKind.Lighting:
                    _timedFaults.Add(new TimedFault(fault, null, new LightsFailure(random, fault.DurationSeconds)));
                    break;
            }
        }
    }

    /// <summary>Renders frame <paramref name="index"/> (they must come in order) into <paramref name="bgr"/> (Width x Height x 3).</summary>
    /// <returns>The fault types visible in this frame.</returns>
    public IReadOnlyList<string> Render(int index, Span<byte> bgr)
    {
        var t = index / Fps;
        var visible = new List<string>();
        if (_belt.Advance(index, Fps) is { } beltFault) visible.Add(beltFault);
        _camera.Advance();
        var light = 1.0;
        foreach (var timed in _timedFaults.Where(f => f.Lights is not null && f.ActiveAt(t)))
        {
            light *= timed.Lights!.LightAt(timed.Elapsed(t), timed.Fault.DurationSeconds);
            visible.Add(timed.Fault.Type);
        }

        Compose(_canvas, t, hidden: null);
        _camera.Develop(_canvas, t, light, bgr);

        // Local faults are labelled exactly where they change the picture: the frame is developed again without
        // the fault, under the same shake, light and noise, and compared.
        foreach (var fault in LocalFaultsNear(t))
        {
            Compose(_without, t, hidden: fault);
            _camera.Develop(_without, t, light, _withoutFrame);
            if (!bgr.SequenceEqual(_withoutFrame) && !visible.Contains(fault.Type)) visible.Add(fault.Type);
        }
        return visible;
    }

    /// <summary>The part and overlay faults that may show in this frame: overlays while active, parts while
    /// their slot is within reach of the view.</summary>
    private IEnumerable<ScheduledFault> LocalFaultsNear(double t)
    {
        foreach (var timed in _timedFaults.Where(f => f.Lights is null && f.ActiveAt(t))) yield return timed.Fault;
        var reach = _look.PartReach + _margin;     // the shake can bring up to a margin more of the belt into view
        foreach (var part in _partFaults)
        {
            for (var s = 0; s < part.Slots; s++)
            {
                var centre = _belt.Offset - _look.SlotPosition(part.Slot + s);
                if (centre > -reach && centre < Width + reach) { yield return part.Fault; break; }
            }
        }
    }

    /// <summary>The scene in front of the camera, with every fault but <paramref name="hidden"/>.</summary>
    private void Compose(Canvas canvas, double t, ScheduledFault? hidden)
    {
        canvas.CopyFrom(_background);
        _painter.DrawBelt(canvas, _belt.Offset);
        DrawParts(canvas, hidden);
        _painter.DrawStation(canvas);
        foreach (var timed in _timedFaults.Where(f => f.Lights is null && f.Fault != hidden && f.ActiveAt(t)))
        {
            var progress = timed.Elapsed(t) / timed.Fault.DurationSeconds;
            if (timed.Haze is null) _painter.DrawArm(canvas, progress);
            else timed.Haze.Draw(canvas, _margin, timed.Elapsed(t), timed.Fault.DurationSeconds);
        }
    }

    private void DrawParts(Canvas canvas, ScheduledFault? hidden)
    {
        var offset = _belt.Offset;
        var reach = _look.PartReach + _margin;
        var pitch = (double)_look.GroupPitch;
        var firstGroup = (long)Math.Floor((offset - Width - reach) / pitch) - 1;
        var lastGroup = (long)Math.Ceiling((offset + reach) / pitch) + 1;
        var cy = (_look.BeltTop + _look.BeltBottom) / 2 + _margin;
        for (var slot = firstGroup * _look.GroupSize; slot < (lastGroup + 1) * _look.GroupSize; slot++)
        {
            var centreX = offset - _look.SlotPosition(slot);
            if (centreX < -reach || centreX > Width + reach) continue;
            var cx = (int)centreX + _margin;
            if (!_partSlots.TryGetValue(slot, out var fault) || fault.Fault == hidden)
            {
                PartPainter.Draw(canvas, _look, cx, cy, _look.PartColour);
                continue;
            }
            switch (fault.Fault.Type)
            {
                case FaultTypes.Missing: break;
                case FaultTypes.Foreign: PartPainter.DrawForeign(canvas, _look, cx, cy); break;
                case FaultTypes.Rotated: PartPainter.Draw(canvas, _look, cx, cy, _look.PartColour, PartPainter.TurnAngle(_look)); break;
                case FaultTypes.Colour: PartPainter.Draw(canvas, _look, cx, cy, _look.WrongColour); break;
                case FaultTypes.Double: PartPainter.DrawDouble(canvas, _look, cx, cy, fault.Stacked); break;
                case FaultTypes.Fallen: PartPainter.DrawFallen(canvas, _look, cx, cy, fault.Tilt); break;
                default: throw new InvalidOperationException($"no drawing for part fault '{fault.Fault.Type}'");
            }
        }
    }

    /// <summary>The slot whose part is under the station at time t at normal speed (belt faults leave the belt
    /// where normal travel would have it, so this holds after them too).</summary>
    private long SlotAtStation(double seconds)
    {
        var travel = seconds * _look.BeltSpeed - _look.StationCentre;
        var group = (long)Math.Floor(travel / _look.GroupPitch);
        var member = _look.GroupSize == 2 && travel - group * (double)_look.GroupPitch >= _look.PairGap ? 1 : 0;
        return group * _look.GroupSize + member;
    }
}
