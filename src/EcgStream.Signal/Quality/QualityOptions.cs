namespace EcgStream.Signal.Quality;

/// <summary>Thresholds of the signal-quality checks (defaults justified where they are used).</summary>
public sealed record QualityOptions
{
    public static QualityOptions Default { get; } = new();

    /// <summary>Raw peak-to-peak range under which a 1 s epoch is a flat line (mV).</summary>
    public double FlatRangeMillivolts { get; init; } = 0.02;
    /// <summary>Fraction of a raw epoch's samples sitting at its two extreme values (counted together) at or above which
    /// the lead is railed (disconnected in effect). A quarter: recorded ECG holds its extremes for a few per cent of a
    /// second (at most 23 % in PTB-XL's 500 Hz leads, 18 % CinC 2021, 9 % PhysioNet 2017, 11 % SVDB, 5 % CPSC 2021, over
    /// every lead-second in ../shared/data), and 0.04 at one extreme, the rule until 2026-12-05, called 263 PTB-XL and 127
    /// PhysioNet 2017 lead-seconds of clean signal railed; a lead driven onto a rail sits there for most of the second
    /// (MIT-BIH's own clipped seconds reach 98 %), and a lead-off that picks up mains hum clips at both rails in turn, so
    /// the two count together. Clipped QRS peaks alone leave the rhythm readable and do not count. Not caught: an
    /// amplifier railed with its ADC jittering over several codes (no sample value repeats often enough).</summary>
    public double SaturationFraction { get; init; } = 0.25;
    /// <summary>kSQI: kurtosis of the filtered ECG over <see cref="NoiseSeconds"/> below which it is noise.
    /// Li, Mark &amp; Clifford (2008) take clean ECG as kurtosis &gt; 5, but after our 0.67 Hz high-pass wide
    /// complexes and large T waves give 3–5 on clean MIT-BIH leads (V1 of 101, 207), so only sub-Gaussian
    /// signals (sinusoidal interference, wander; Gaussian noise has 3) are rejected on kurtosis alone.</summary>
    public double MinKurtosis { get; init; } = 3;
    /// <summary>pSQI: share of the filtered signal's power in 5–15 Hz (the QRS band); outside this range it is noise.
    /// Measured: clean MIT-BIH leads 0.2–0.7 (5th–95th percentile over 10 records), NSTDB muscle noise 0.04–0.24,
    /// baseline wander 0.01–0.12.</summary>
    public double MinQrsPowerRatio { get; init; } = 0.15;
    public double MaxQrsPowerRatio { get; init; } = 0.95;
    /// <summary>Share of the filtered signal's power in 15–45 Hz above which it is noise (EMG, broadband noise; white noise
    /// has ≈ 0.65). Clean MIT-BIH leads: 0.01–0.40 (5th–95th percentile over 12 records); NSTDB muscle noise median 0.44–0.64.</summary>
    public double MaxHighFrequencyRatio { get; init; } = 0.45;
    /// <summary>Seconds of filtered signal the noise indices are computed over (whole 1 s epochs).</summary>
    public int NoiseSeconds { get; init; } = 5;
}
