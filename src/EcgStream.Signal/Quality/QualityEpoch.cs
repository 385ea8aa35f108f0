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
    /// <summary>Samples were missing (a gap filled to keep filters settled): nothing to judge, not lead-off.</summary>
    Missing = 16,
}

/// <summary>
/// Quality of every lead over one 1 s epoch of the 250 Hz stream [<see cref="StartSample"/>, <see cref="EndSample"/>).
/// Flat, Saturated, LeadOff and Missing come from the raw signal with at most one epoch of lag (see <see cref="SignalQualityMonitor"/>).
/// Missing leads (samples filled over a gap) are unreadable but neither off nor noisy: loss of data must not raise LEAD_OFF.
/// </summary>
public readonly record struct QualityEpoch(long StartSample, long EndSample, LeadSet Present, LeadSet Flat, LeadSet Saturated, LeadSet LeadOff, LeadSet Noisy,
    LeadSet Missing = default)
{
    /// <summary>Leads usable for detection and for the model's lead mask.</summary>
    public LeadSet Usable => new((ushort)(Present.Mask & ~(Flat.Mask | Saturated.Mask | LeadOff.Mask | Noisy.Mask | Missing.Mask)));
    /// <summary>Leads disconnected in effect: reported off, flat or railed.</summary>
    public LeadSet Disconnected => new((ushort)(Present.Mask & (Flat.Mask | Saturated.Mask | LeadOff.Mask)));
    /// <summary>LEAD_OFF alarm condition: no present lead is connected.</summary>
    public bool AllLeadsOff => !Present.IsEmpty && Disconnected == Present;
    /// <summary>No present lead has real samples in this epoch (a gap): analysis must treat it as unreadable.</summary>
    public bool AllMissing => !Present.IsEmpty && (Missing.Mask & Present.Mask) == Present.Mask;
    /// <summary>NOISE alarm condition: leads are connected and have samples, but none is usable.</summary>
    public bool AllNoisy => !AllLeadsOff && !AllMissing && Usable.IsEmpty && (Noisy.Mask & Present.Mask) != 0;

    public LeadProblem Problems(Lead lead) =>
        (Flat.Contains(lead) ? LeadProblem.Flat : 0) | (Saturated.Contains(lead) ? LeadProblem.Saturated : 0) |
        (LeadOff.Contains(lead) ? LeadProblem.LeadOff : 0) | (Noisy.Contains(lead) ? LeadProblem.Noisy : 0) |
        (Missing.Contains(lead) ? LeadProblem.Missing : 0);
}
