using System.Globalization;
using LineWatch.Configuration;

namespace LineWatch.Events;

/// <summary>One shift: named by its local start time ("06:00"), from <see cref="Start"/> until the next shift's start.</summary>
public readonly record struct Shift(string Name, DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// Which shift an instant falls in, from the configured local start times. Shifts follow the local clock, so across a
/// daylight-saving change one of them is an hour shorter or longer, as it is on the factory floor.
/// </summary>
public sealed class ShiftCalendar
{
    public static readonly IReadOnlyList<TimeOnly> DefaultStarts = [new(6, 0), new(14, 0), new(22, 0)];

    private readonly TimeOnly[] _starts;
    private readonly TimeZoneInfo _zone;

    public ShiftCalendar(IReadOnlyList<TimeOnly> starts, TimeZoneInfo zone)
    {
        if (starts.Count == 0) throw new ArgumentException("at least one shift start is needed", nameof(starts));
        _starts = [.. starts.Order()];
        _zone = zone;
    }

    /// <summary>The calendar of the configuration (validated: see <see cref="TryParseStart"/> and <see cref="TryFindZone"/>).</summary>
    public static ShiftCalendar From(ShiftOptions options)
    {
        var starts = options.Starts.Count == 0 ? DefaultStarts : options.Starts.Select(s => TryParseStart(s, out var t) ? t : throw new FormatException(s)).ToArray();
        return new ShiftCalendar(starts, TryFindZone(options.TimeZone, out var zone) ? zone : throw new TimeZoneNotFoundException(options.TimeZone));
    }

    public static bool TryParseStart(string text, out TimeOnly start) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out start);

    /// <summary>An IANA time zone name, or empty for the machine's own.</summary>
    public static bool TryFindZone(string name, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Local;
        if (name.Length == 0) return true;
        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out zone!);
    }

    /// <summary>The shift <paramref name="instant"/> falls in.</summary>
    public Shift At(DateTimeOffset instant)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);
        // Every start from the day before to the day after, in order: the last at or before the instant begins its shift.
        var starts = new[] { day.AddDays(-1), day, day.AddDays(1) }.SelectMany(d => _starts.Select(t => (Name: t.ToString("HH:mm", CultureInfo.InvariantCulture), Start: Local(d, t))))
            .OrderBy(s => s.Start).ToArray();
        var i = Array.FindLastIndex(starts, s => s.Start <= instant);
        return new Shift(starts[i].Name, starts[i].Start, starts[i + 1].Start);
    }

    /// <summary>The shift before <paramref name="shift"/>.</summary>
    public Shift Before(Shift shift) => At(shift.Start.AddTicks(-1));

    /// <summary>A local date and time as an instant (a time skipped by a clock change counts with the offset before it).</summary>
    private DateTimeOffset Local(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, _zone.GetUtcOffset(local));
    }
}
