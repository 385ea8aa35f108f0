namespace EcgStream.Synthetic;

/// <summary>
/// The noise added to a scenario. <see cref="Snr"/> sets the level; the weights set the mix (relative
/// powers, normalised to sum 1). A null <see cref="Snr"/> means a clean record.
/// <para>
/// SNR follows the MIT-BIH Noise Stress Test convention (Moody, Muldrow &amp; Mark 1984): signal power
/// S = (peak-to-peak amplitude of the patient's normal QRS)² / 8, noise power N = mean square of the
/// noise, SNR = 10·log10(S/N). S is averaged over the eight independent leads (I, II, V1–V6) and the
/// same noise power goes to each of them (noise is an electrode property, not a lead property);
/// III, aVR, aVL, aVF are derived from I and II after noise is added, as a real electrocardiograph
/// does. Being tied to the patient's normal QRS, the noise level does not collapse in asystole.
/// </para>
/// </summary>
public sealed record NoiseSpec
{
    /// <summary>Signal-to-noise ratio in dB; null: no noise.</summary>
    public double? Snr { get; set; }
    /// <summary>Baseline wander: respiration plus low-passed (&lt; 0.5 Hz) random drift.</summary>
    public double BaselineWander { get; set; } = 1;
    /// <summary>Muscle (EMG): band-limited (20–150 Hz) Gaussian noise with slow amplitude modulation.</summary>
    public double Muscle { get; set; } = 1;
    /// <summary>Powerline interference at <see cref="PowerlineHz"/> with a weak third harmonic.</summary>
    public double Powerline { get; set; } = 0.2;
    /// <summary>Electrode motion: bursts of 0.5–10 Hz artefact, about one per ten seconds (bursty: its SNR is a long-run mean).</summary>
    public double ElectrodeMotion { get; set; }
    /// <summary>The real baseline-wander record <c>bw</c> of the MIT-BIH Noise Stress Test Database.</summary>
    public double NstdbBaselineWander { get; set; }
    /// <summary>The real muscle-artefact record <c>ma</c> of the MIT-BIH Noise Stress Test Database.</summary>
    public double NstdbMuscle { get; set; }
    /// <summary>50 or 60.</summary>
    public double PowerlineHz { get; set; } = 50;
    /// <summary>Folder holding the NSTDB noise records <c>bw</c> and <c>ma</c> (.hea/.dat); needed when an Nstdb weight is not 0.</summary>
    public string? NstdbDirectory { get; set; }

    public static NoiseSpec None { get; } = new();

    internal double TotalWeight => BaselineWander + Muscle + Powerline + ElectrodeMotion + NstdbBaselineWander + NstdbMuscle;
}
