namespace LineWatch.Simulation;

/// <summary>What the parts on the line are, seen from above.</summary>
public enum PartShape
{
    /// <summary>A box with a label on its top.</summary>
    Box,
    /// <summary>A cylinder standing on its end: a disc with a raised centre and a key slot.</summary>
    Disc,
    /// <summary>An L-shaped bracket with a drilled hole.</summary>
    Bracket,
}

/// <summary>A static object beside the line (a bin, a cabinet): part of the background.</summary>
public sealed record Fixture(int X, int Y, int Width, int Height, Bgr Colour);

/// <summary>How the camera is mounted: a small roll, a keystone from looking at the line at an angle, and
/// whether the image is mirrored (parts then run right to left). The view is zoomed just enough to stay on the scene.</summary>
public sealed record CameraPose(double RollDegrees, double TiltX, double TiltY, bool Mirror)
{
    public static readonly CameraPose Straight = new(0, 0, 0, false);

    public bool IsStraight => this == Straight;
}

/// <summary>
/// The look of one production line, drawn from a scene number: the parts, their rhythm, the belt, the floor,
/// the work station and the camera's pose. Scene 0 is the line the generator has always drawn; every other
/// number draws a different line. Coordinates are in the 640x360 view before the camera pose.
/// </summary>
public sealed record LineLook
{
    public required PartShape Shape { get; init; }
    /// <summary>Along the belt; a disc's diameter.</summary>
    public required int PartLength { get; init; }
    /// <summary>Across the belt.</summary>
    public required int PartDepth { get; init; }
    public required Bgr PartColour { get; init; }
    /// <summary>Label, raised centre or hole.</summary>
    public required Bgr MarkColour { get; init; }
    /// <summary>The colour a wrong part (the colour fault) has; far from <see cref="PartColour"/>.</summary>
    public required Bgr WrongColour { get; init; }
    public required Bgr ForeignColour { get; init; }
    /// <summary>A foreign object is a ball of this radius, or with <see cref="ForeignIsBar"/> a tool-like bar this long.</summary>
    public required int ForeignSize { get; init; }
    public required bool ForeignIsBar { get; init; }

    /// <summary>Parts come singly or in pairs; one group every <see cref="GroupPitch"/> px of belt.</summary>
    public required int GroupSize { get; init; }
    public required int GroupPitch { get; init; }
    /// <summary>Between the two centres of a pair.</summary>
    public required int PairGap { get; init; }

    public required int BeltTop { get; init; }
    public required int BeltBottom { get; init; }
    /// <summary>px/s; a whole number, so that belt faults can be fitted exactly to the belt's pattern.</summary>
    public required int BeltSpeed { get; init; }
    public required Bgr BeltColour { get; init; }
    public required Bgr SlatColour { get; init; }
    /// <summary>Divides <see cref="GroupPitch"/>, so the belt's picture repeats every group.</summary>
    public required int SlatSpacing { get; init; }
    public required int SlatWidth { get; init; }
    public required Bgr RailColour { get; init; }

    public required int FloorShade { get; init; }
    /// <summary>Brighter towards the bottom of the view by this much.</summary>
    public required int FloorGradient { get; init; }
    public required int TileSize { get; init; }
    public required int TileContrast { get; init; }
    public required (int B, int G, int R) FloorTint { get; init; }
    public required IReadOnlyList<Fixture> Fixtures { get; init; }

    public required int StationLeft { get; init; }
    public required int StationRight { get; init; }
    public required int StationTop { get; init; }
    /// <summary>Where the tool head ends, just above the belt.</summary>
    public required int StationBottom { get; init; }
    public required Bgr StationColour { get; init; }
    public required Bgr ToolColour { get; init; }

    public required CameraPose Pose { get; init; }

    /// <summary>Belt travel after which the belt and its parts look the same again.</summary>
    public int PatternPeriod => Lcm(GroupPitch, SlatSpacing);

    /// <summary>Furthest a part, or what a fault puts in its place (two parts side by side, a tool), reaches
    /// from the part's centre, px.</summary>
    public int PartReach => (int)Math.Ceiling(Math.Max(1.1 * PartLength, 4.0 * ForeignSize)) + 3;

    public double StationCentre => (StationLeft + StationRight) / 2.0;

    /// <summary>Position along the belt of a slot's part, measured back from the belt's origin.</summary>
    public double SlotPosition(long slot)
    {
        var group = Math.DivRem(slot, GroupSize, out var member);
        if (member < 0) { group--; member += GroupSize; }
        return group * (double)GroupPitch + member * (double)PairGap;
    }

    /// <summary>The line as the first generator drew it (scene 0).</summary>
    public static readonly LineLook Classic = new()
    {
        Shape = PartShape.Box, PartLength = 50, PartDepth = 40,
        PartColour = new(40, 120, 180), MarkColour = new(230, 230, 230), WrongColour = new(160, 90, 40),
        ForeignColour = new(30, 40, 200), ForeignSize = 18, ForeignIsBar = false,
        GroupSize = 1, GroupPitch = 120, PairGap = 0,
        BeltTop = 160, BeltBottom = 250, BeltSpeed = 80,
        BeltColour = new(85, 88, 90), SlatColour = new(70, 72, 74), SlatSpacing = 24, SlatWidth = 3, RailColour = new(120, 120, 125),
        FloorShade = 55, FloorGradient = 25, TileSize = 32, TileContrast = 4, FloorTint = (0, 0, 3), Fixtures = [],
        StationLeft = 380, StationRight = 470, StationTop = 40, StationBottom = 150,
        StationColour = new(100, 100, 110), ToolColour = new(150, 150, 160),
        Pose = CameraPose.Straight,
    };

    // Part colours far enough apart that any two of them read as different colours on camera.
    private static readonly Bgr[] PartPalette =
    [
        new(40, 120, 180), new(170, 90, 40), new(60, 150, 60), new(40, 190, 210), new(150, 150, 145),
        new(50, 60, 150), new(140, 60, 110), new(205, 205, 200), new(45, 45, 50),
    ];
    private static readonly Bgr[] ForeignPalette = [new(30, 40, 200), new(40, 210, 60), new(200, 200, 40), new(180, 60, 200), new(20, 140, 240)];
    private static readonly Bgr[] BeltPalette = [new(85, 88, 90), new(60, 62, 64), new(70, 95, 70), new(110, 100, 90), new(40, 40, 42), new(120, 125, 125)];

    /// <summary>The look of scene <paramref name="scene"/>: 0 is <see cref="Classic"/>, any other number a line drawn from it.</summary>
    public static LineLook ForScene(int scene)
    {
        if (scene < 0) throw new ArgumentException($"scene {scene}: use 0 or a positive number");
        if (scene == 0) return Classic;
        var random = new Random(unchecked(scene * 7919 + 104729));
        int Between(int low, int high) => random.Next(low, high + 1);
        double Uniform(double low, double high) => low + random.NextDouble() * (high - low);
        Bgr Jitter(Bgr c, int by) => new(Bgr.Clamp(c.B + Between(-by, by)), Bgr.Clamp(c.G + Between(-by, by)), Bgr.Clamp(c.R + Between(-by, by)));

        var shape = (PartShape)random.Next(3);
        var length = Between(36, 62);
        var depth = shape == PartShape.Disc ? length : Math.Min(length, Between(28, 46));
        var beltHeight = Between(Math.Max(80, depth + 36), 112);
        var beltTop = Between(130, 330 - beltHeight);

        var belt = Jitter(BeltPalette[random.Next(BeltPalette.Length)], 8);
        var slatContrast = Between(8, 28) * (random.Next(2) == 0 ? -1 : 1);
        var slat = new Bgr(Bgr.Clamp(belt.B + slatContrast), Bgr.Clamp(belt.G + slatContrast), Bgr.Clamp(belt.R + slatContrast));

        // Part colour: from the palette, clearly off the belt; the wrong colour clearly off the part.
        var candidates = PartPalette.Where(c => c.DistanceTo(belt) > 50).ToList();
        var part = Jitter(candidates[random.Next(candidates.Count)], 10);
        var wrongs = PartPalette.Where(c => c.DistanceTo(part) > 90 && c.DistanceTo(belt) > 50).ToList();
        var wrong = wrongs[random.Next(wrongs.Count)];
        var foreigns = ForeignPalette.Where(c => c.DistanceTo(part) > 90 && c.DistanceTo(belt) > 60).ToList();
        var mark = part.DistanceTo(new Bgr(230, 230, 230)) > 60 ? new Bgr(230, 230, 230) : new Bgr(40, 40, 45);

        // Rhythm: the slat spacing divides the group pitch, so the belt's picture repeats once per group.
        var slatSpacing = new[] { 16, 20, 24, 30, 32, 40 }[random.Next(6)];
        // Pitches stay within 240 px (and speeds above 70 px/s) so that a part is in view for at most about 12 s
        // either side of reaching the station: the schedule's room for a part fault.
        var pairs = random.NextDouble() < 0.3 && 3 * length + 40 <= 200;
        var pairGap = pairs ? length + Between(10, 20) : 0;
        var minPitch = pairs ? pairGap + 2 * length + 20 : 2 * length + 24;
        var pitch = (int)Math.Ceiling(Between(minPitch, Math.Max(minPitch, Math.Min(240 - slatSpacing, minPitch + 90))) / (double)slatSpacing) * slatSpacing;

        var stationWidth = Between(70, 130);
        var stationLeft = Between(180 - stationWidth / 2, 460 - stationWidth / 2);     // its centre between 180 and 460
        var stationTop = Between(10, Math.Max(10, beltTop - 120));
        var fixtures = Enumerable.Range(0, Between(0, 2)).Select(_ =>
        {
            var below = random.Next(2) == 0 && beltTop + beltHeight < 300;
            var w = Between(50, 140);
            var h = below ? Between(20, 360 - beltTop - beltHeight - 12) : Between(30, Math.Max(30, beltTop - 30));
            var x = below ? Between(-20, 620 - w) : (random.Next(2) == 0 ? Between(-20, Math.Max(-20, stationLeft - w - 60)) : Between(stationLeft + stationWidth + 20, 660));
            var y = below ? beltTop + beltHeight + 10 + Between(0, 10) : Between(0, Math.Max(0, beltTop - 10 - h));
            var grey = Between(70, 150);
            return new Fixture(x, y, w, h, Jitter(new Bgr((byte)grey, (byte)grey, (byte)grey), 25));
        }).ToList();

        var floor = Between(40, 95);
        var rail = Between(100, 170);
        return new LineLook
        {
            Shape = shape, PartLength = length, PartDepth = depth,
            PartColour = part, MarkColour = mark, WrongColour = wrong,
            ForeignColour = foreigns.Count > 0 ? foreigns[random.Next(foreigns.Count)] : new Bgr(30, 40, 200),
            ForeignSize = Between(14, 20), ForeignIsBar = random.Next(3) == 0,
            GroupSize = pairs ? 2 : 1, GroupPitch = pitch, PairGap = pairGap,
            BeltTop = beltTop, BeltBottom = beltTop + beltHeight, BeltSpeed = Between(70, 110),
            BeltColour = belt, SlatColour = slat, SlatSpacing = slatSpacing, SlatWidth = Between(2, 5),
            RailColour = Jitter(new Bgr((byte)rail, (byte)rail, (byte)(rail + 5)), 10),
            FloorShade = floor, FloorGradient = Between(8, 35), TileSize = new[] { 24, 32, 40, 48, 64 }[random.Next(5)],
            TileContrast = Between(2, 8), FloorTint = (Between(-6, 6), Between(-6, 6), Between(-6, 6)), Fixtures = fixtures,
            StationLeft = stationLeft, StationRight = stationLeft + stationWidth, StationTop = stationTop, StationBottom = beltTop - 10,
            StationColour = Jitter(new Bgr(100, 100, 110), 30), ToolColour = Jitter(new Bgr(150, 150, 160), 30),
            Pose = new CameraPose(Uniform(-4, 4), Uniform(-0.08, 0.08), Uniform(-0.08, 0.08), random.Next(2) == 0),
        };
    }

    private static int Lcm(int a, int b)
    {
        int x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }
}
