using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic.Engine;

/// <summary>A scenario segment placed on the timeline, with every parameter resolved (drawn where the scenario left it open).</summary>
internal sealed class Segment
{
    public int Index { get; }
    public ScenarioSegment Spec { get; }
    public SyntheticRhythm Rhythm { get; }
    public double Start { get; }
    public double End { get; }
    public Rng Rng { get; }
    /// <summary>Mean ventricular (or sinus) rate, bpm; 0 where none applies.</summary>
    public double HeartRate { get; }
    public double RrMean => 60 / HeartRate;
    public string Ectopy { get; }
    public double EctopyRate { get; }
    /// <summary>
    /// Draws for premature atrial beats, apart from <see cref="Rng"/> so that a segment without them draws exactly as before.
    /// </summary>
    public Rng PacRng { get; }
    /// <summary>Ectopic P's coupling to the last sinus P, as a fraction of the sinus cycle (per segment; each PAC jitters it).</summary>
    public double PacCoupling { get; }
    /// <summary>PVC coupling interval as a fraction of the sinus RR.</summary>
    public double Coupling { get; }
    public int PvcFocus { get; }
    /// <summary>Sinus arrhythmia: relative RR modulation at the respiratory rate.</summary>
    public double RespiratoryModulation { get; }
    public string Conduction { get; }
    public double FlutterRate { get; }
    public double AvDelay { get; }
    /// <summary>Template index of this segment's VT morphology (−1 if not VT).</summary>
    public int VtTemplate { get; set; } = -1;
    /// <summary>SNR in dB, NaN for no noise.</summary>
    public double Snr { get; }
    public LeadSet LeadOff { get; }
    public bool Rail { get; }
    public bool PWaves { get; }
    public IReadOnlyList<RhythmClass> Classes { get; }
    /// <summary>The previous segment has the same rhythm: continuous activity does not fade, VT keeps its morphology, flutter its phase.</summary>
    public bool ContinuesFromPrevious { get; }
    /// <summary>Noise amplitude of this segment (0 for none) and of the one before it (ramped between).</summary>
    public double NoiseGain { get; set; }
    public double PreviousNoiseGain { get; set; }
    public bool ContinuesIntoNext { get; set; }
    /// <summary>Start of the run of same-rhythm segments this one belongs to (phase origin of flutter/VF).</summary>
    public double RunStart { get; }

    public Segment(int index, ScenarioSegment spec, double start, Patient patient, long seed, NoiseSpec noise, Segment? previous)
    {
        Index = index;
        Spec = spec;
        if (!SyntheticRhythms.TryParse(spec.Rhythm, out var rhythm))
            throw new ScenarioException($"segments[{index}].rhythm = \"{spec.Rhythm}\" is not a rhythm");
        Rhythm = rhythm;
        Start = start;
        End = start + spec.DurationSeconds;
        RunStart = start;
        Rng = Rng.Derive(seed, 2, (ulong)index);
        var rng = Rng;

        // The same rhythm carried on (e.g. split by a lead-off stretch) keeps its rate and run.
        bool continues = previous is not null && previous.Rhythm == rhythm;
        if (continues)
        {
            ContinuesFromPrevious = true;
            RunStart = previous!.RunStart;
            previous.ContinuesIntoNext = true;
        }
        HeartRate = spec.HeartRate ?? (continues ? previous!.HeartRate : 0);
        if (HeartRate == 0) HeartRate = rhythm switch
        {
            SyntheticRhythm.SR or SyntheticRhythm.PVC or SyntheticRhythm.PAC or SyntheticRhythm.BIGEMINY or SyntheticRhythm.TRIGEMINY
                => Math.Clamp(patient.RestingRate + rng.Normal(0, 3), 62, 95),
            SyntheticRhythm.SINUS_ARRHYTHMIA => Math.Clamp(patient.RestingRate - 5 + rng.Normal(0, 3), 52, 90),
            SyntheticRhythm.SBRAD => rng.Uniform(38, 56),
            SyntheticRhythm.STACH => rng.Uniform(105, 150),
            SyntheticRhythm.AF => rng.Uniform(65, 130),
            SyntheticRhythm.SVT => rng.Uniform(155, 225),
            SyntheticRhythm.VT => rng.Uniform(130, 220),
            SyntheticRhythm.PACED => 60 + 10 * rng.Int(0, 2),
            _ => 0,
        };
        NoiseGain = double.NaN;
        Ectopy = SyntheticRhythms.EctopyOf(rhythm, spec.Ectopy);
        EctopyRate = spec.EctopyRate ?? 0.1;
        Coupling = rng.Uniform(0.45, 0.68);
        PvcFocus = rng.Int(0, patient.PvcFoci.Length - 1);
        PacRng = Rng.Derive(seed, 8, (ulong)index);   // stream 8: unused elsewhere (3 is heart-rate variability's)
        PacCoupling = PacRng.Uniform(0.55, 0.75);
        RespiratoryModulation = rhythm == SyntheticRhythm.SINUS_ARRHYTHMIA ? rng.Uniform(0.07, 0.14) : 0;
        Conduction = spec.Conduction ?? (rng.Chance(0.5) ? "2:1" : rng.Chance(0.5) ? "4:1" : "variable");
        FlutterRate = spec.AtrialRate ?? patient.FlutterRate;
        AvDelay = rng.Uniform(0.18, 0.28);
        Snr = spec.Snr ?? noise.Snr ?? double.NaN;
        if (noise.TotalWeight <= 0) Snr = double.NaN;
        var off = LeadSet.None;
        if (spec.LeadOff is { } names)
            foreach (var n in names) if (Leads.TryParse(n, out var l)) off = off.With(l);
        LeadOff = off;
        Rail = string.Equals(spec.LeadOffMode, "rail", StringComparison.OrdinalIgnoreCase);
        PWaves = spec.PWaves ?? false;
        Classes = SyntheticRhythms.Classes(rhythm, spec.Ectopy, HeartRate);
    }

    /// <summary>Rhythms with continuous (not beat-locked) activity that must fade in and out at run edges.</summary>
    public bool HasContinuousActivity => Rhythm is SyntheticRhythm.AF or SyntheticRhythm.AFL or SyntheticRhythm.VF;

    public bool IsSinus => Rhythm is SyntheticRhythm.SR or SyntheticRhythm.SBRAD or SyntheticRhythm.STACH or SyntheticRhythm.SINUS_ARRHYTHMIA
        or SyntheticRhythm.BIGEMINY or SyntheticRhythm.TRIGEMINY or SyntheticRhythm.PVC or SyntheticRhythm.PAC;
}
