namespace EcgStream.Signal.Rhythms;

/// <summary>Alarms the rules raise without a model.</summary>
public enum AlarmKind : byte
{
    /// <summary>An RR interval longer than <see cref="RuleOptions.PauseSeconds"/> (an instant: onset and end together).</summary>
    Pause,
    /// <summary>No QRS for <see cref="RuleOptions.AsystoleSeconds"/> with a connected lead (a state).</summary>
    Asystole,
    /// <summary>Every present lead off, flat or railed (a state).</summary>
    LeadOff,
    /// <summary>Leads connected but none readable (a state).</summary>
    Noise,
}

/// <summary>
/// An alarm onset or offset, in stream seconds (input time: the preprocessor's delay is already removed).
/// A pause is reported once, as an onset carrying its end.
/// </summary>
public readonly record struct RuleAlarm(AlarmKind Kind, bool IsOnset, double StartSeconds, double EndSeconds, double DetectedSeconds)
{
    /// <summary>Name used in events (DESIGN.md): PAUSE, ASYSTOLE, LEAD_OFF, NOISE.</summary>
    public string Name => Kind switch
    {
        AlarmKind.Pause => "PAUSE",
        AlarmKind.Asystole => "ASYSTOLE",
        AlarmKind.LeadOff => "LEAD_OFF",
        _ => "NOISE",
    };
}
