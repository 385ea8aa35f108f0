using EcgStream.Core.Leads;

namespace EcgStream.Signal.Quality;

/// <summary>Problems a lead can have in an epoch.</summary>
[Flags]
public enum LeadProblem : byte
{
    None = 0,
    /// <summary>Raw signal has (almost) no range.</summary>
    Flat = 1,
    /// <summary>Raw signal sits at its extreme for a large share of the epoch (clipping, ADC rail).</summary>
    Saturated = 2,
    /// <summary>The device reported the electrode off.</summary>
    LeadOff = 4,
    /// <summary>kSQI or pSQI out of range: muscle, motion or mains noise dominates.</summary>
    Noisy = 8,
}

/// <summary>
/// Quality of every lead over one 1 s epoch of the 250 Hz stream [<see cref="StartSample"/>, <see cref="EndSample"/>).
/// Flat, Saturated and LeadOff come from the raw signal with at most one epoch of lag (see <see cref="SignalQualityMonitor"/>).
/// </summary>
public readonly record struct QualityEpoch(long StartSample, long EndSample, LeadSet Present, LeadSet Flat, LeadSet Saturated, LeadSet LeadOff, LeadSet Noisy)
{
    /// <summary>Leads usable for detection and for the model's lead mask.</summary>
    public LeadSet Usable => new((ushort)(Present.Mask & ~(Flat.Mask | Saturated.Mask | LeadOff.Mask | Noisy.Mask)));
    /// <summary>Leads disconnected in effect: reported off, flat or railed.</summary>
    public LeadSet Disconnected => new((ushort)(Present.Mask & (Flat.Mask | Saturated.Mask | LeadOff.Mask)));
    /// <summary>LEAD_OFF alarm condition: no present lead is connected.</summary>
    public bool AllLeadsOff => !Present.IsEmpty && Disconnected == Present;
    /// <summary>NOISE alarm condition: leads are connected but none is usable.</summary>
    public bool AllNoisy => !AllLeadsOff && Usable.IsEmpty;

    public LeadProblem Problems(Lead lead) =>
        (Flat.Contains(lead) ? LeadProblem.Flat : 0) | (Saturated.Contains(lead) ? LeadProblem.Saturated : 0) |
        (LeadOff.Contains(lead) ? LeadProblem.LeadOff : 0) | (Noisy.Contains(lead) ? LeadProblem.Noisy : 0);
}
