namespace LineWatch.Configuration;

/// <summary>The shifts the alert summary is counted in (dashboard, <c>/api/summary</c>, MQTT <c>…/summary</c>).</summary>
public sealed class ShiftOptions
{
    /// <summary>Local start times, "HH:mm"; each shift runs until the next one starts. Empty: 06:00, 14:00 and 22:00.</summary>
    public List<string> Starts { get; set; } = [];

    /// <summary>The time zone the starts are in (an IANA name such as Europe/Berlin); empty: the machine's.</summary>
    public string TimeZone { get; set; } = "";
}
