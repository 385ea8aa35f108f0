namespace EcgStream.Signal.Preprocessing;

/// <summary>Mains frequency to notch out, if any.</summary>
public enum MainsNotch { None = 0, Hz50 = 50, Hz60 = 60 }

/// <summary>
/// Model contract v1 preprocessing (DESIGN.md): resample to 250 Hz, causal Butterworth band-pass
/// 0.67–40 Hz, optional mains notch. The defaults are the contract; change them only with the contract.
/// </summary>
public sealed record PreprocessorOptions
{
    public const int ContractSampleRate = 250;

    public static PreprocessorOptions Contract { get; } = new();

    /// <summary>Prototype order of the Butterworth band-pass (2·order poles).</summary>
    public int BandPassOrder { get; init; } = 2;
    public double LowCutHz { get; init; } = 0.67;
    public double HighCutHz { get; init; } = 40;
    public MainsNotch Notch { get; init; } = MainsNotch.None;
    /// <summary>Notch quality factor: −3 dB width ≈ f₀/Q (1.7 Hz at 50 Hz).</summary>
    public double NotchQ { get; init; } = 30;
    /// <summary>Stop-band attenuation of the resampler's anti-aliasing filter.</summary>
    public double ResamplerAttenuationDb { get; init; } = Resampling.ResamplerDesign.DefaultAttenuationDb;

    public override string ToString() =>
        $"resample {ContractSampleRate} Hz; Butterworth band-pass order {BandPassOrder} {LowCutHz}-{HighCutHz} Hz" +
        (Notch == MainsNotch.None ? "" : $"; notch {(int)Notch} Hz Q {NotchQ}");
}
