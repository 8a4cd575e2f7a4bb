namespace LineWatch.Simulation;

/// <summary>Where a fault shows, which decides how the scene draws it and how its frames are labelled.</summary>
public enum FaultKind
{
    /// <summary>One part slot carries something wrong; labelled in the frames where it changes the picture.</summary>
    Part,
    /// <summary>The whole belt moves wrongly; labelled for the whole time it does.</summary>
    Belt,
    /// <summary>Something in front of the line (an arm, smoke); labelled in the frames where it changes the picture.</summary>
    Overlay,
    /// <summary>The light on the whole view; labelled for the whole time.</summary>
    Lighting,
}

/// <summary>The fault types the synthetic line can show; their names are the labels file's "type" values.</summary>
public static class FaultTypes
{
    public const string Jam = "jam";
    public const string Missing = "missing";
    public const string Foreign = "foreign";
    public const string Rotated = "rotated";
    public const string Speed = "speed";
    public const string Hand = "hand";
    public const string Double = "double";
    public const string Colour = "colour";
    public const string Reverse = "reverse";
    public const string Slow = "slow";
    public const string Haze = "haze";
    public const string Lights = "lights";
    public const string Fallen = "fallen";

    private sealed record Spec(FaultKind Kind, double Seconds, string Description);

    // Seconds: how long a belt, overlay or lighting fault lasts (belt faults are trimmed to whole belt-pattern
    // periods by the scene); for a part fault, the part's transit is what the labels show, not this figure.
    private static readonly Dictionary<string, Spec> Specs = new()
    {
        [Jam] = new(FaultKind.Belt, 6, "belt and parts stop"),
        [Missing] = new(FaultKind.Part, 9, "a gap of two parts"),
        [Foreign] = new(FaultKind.Part, 9, "an object that is not a part rides the belt"),
        [Rotated] = new(FaultKind.Part, 9, "a part turned on the belt"),
        [Speed] = new(FaultKind.Belt, 8, "belt at about 1.8x"),
        [Hand] = new(FaultKind.Overlay, 4, "an arm reaching into the work area"),
        [Double] = new(FaultKind.Part, 9, "two parts in one slot, stacked or side by side"),
        [Colour] = new(FaultKind.Part, 9, "a part of the wrong colour"),
        [Reverse] = new(FaultKind.Belt, 6, "belt runs backwards at normal speed"),
        [Slow] = new(FaultKind.Belt, 8, "belt at about 0.5x"),
        [Haze] = new(FaultKind.Overlay, 10, "smoke drifting over part of the view"),
        [Lights] = new(FaultKind.Lighting, 5, "lights dimmed to about 40% or failing and flickering"),
        [Fallen] = new(FaultKind.Part, 9, "a part tipped onto its side, off its place"),
    };

    /// <summary>Every type, in a fixed order (the schedule's shuffle starts from it, so it is part of what a seed means).</summary>
    public static readonly IReadOnlyList<string> All = [Jam, Missing, Foreign, Rotated, Speed, Hand, Double, Colour, Reverse, Slow, Haze, Lights, Fallen];

    public static bool IsKnown(string type) => Specs.ContainsKey(type);

    public static FaultKind KindOf(string type) => Get(type).Kind;

    /// <summary>How long the fault lasts, before a belt fault is fitted to the belt's pattern.</summary>
    public static double NominalSeconds(string type) => Get(type).Seconds;

    public static string Describe(string type) => Get(type).Description;

    private static Spec Get(string type) =>
        Specs.TryGetValue(type, out var spec) ? spec : throw new ArgumentException($"unknown fault type '{type}'; use {string.Join(", ", All)}");
}

/// <summary>A fault on the line: its type and when it starts, in seconds, and how long it is meant to last. A part
/// fault is bound to the part that reaches the work station at the start time.</summary>
public sealed record ScheduledFault(string Type, double StartSeconds, double DurationSeconds);
