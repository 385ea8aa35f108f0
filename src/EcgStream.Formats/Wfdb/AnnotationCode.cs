namespace EcgStream.Formats.Wfdb;

/// <summary>
/// WFDB annotation codes (ecgcodes.h). Values 15, 17 and 42–49 are valid in files but have no
/// standard meaning; MIT-format files cannot hold codes above 49 (<see cref="AnnotationCodes.MaxCode"/>).
/// </summary>
public enum AnnotationCode : byte
{
    /// <summary>Not-QRS: used by some annotators for non-beat events ("").</summary>
    NotQrs = 0,
    /// <summary>Normal beat (N).</summary>
    Normal = 1,
    /// <summary>Left bundle branch block beat (L).</summary>
    Lbbb = 2,
    /// <summary>Right bundle branch block beat (R).</summary>
    Rbbb = 3,
    /// <summary>Aberrated atrial premature beat (a).</summary>
    Aberrated = 4,
    /// <summary>Premature ventricular contraction (V).</summary>
    Pvc = 5,
    /// <summary>Fusion of ventricular and normal beat (F).</summary>
    Fusion = 6,
    /// <summary>Nodal (junctional) premature beat (J).</summary>
    Npc = 7,
    /// <summary>Atrial premature contraction (A).</summary>
    Apc = 8,
    /// <summary>Premature or ectopic supraventricular beat (S).</summary>
    Svpb = 9,
    /// <summary>Ventricular escape beat (E).</summary>
    VentricularEscape = 10,
    /// <summary>Nodal (junctional) escape beat (j).</summary>
    NodalEscape = 11,
    /// <summary>Paced beat (/).</summary>
    Paced = 12,
    /// <summary>Unclassifiable beat (Q).</summary>
    Unknown = 13,
    /// <summary>Signal quality change (~).</summary>
    Noise = 14,
    /// <summary>Isolated QRS-like artifact (|).</summary>
    Artifact = 16,
    /// <summary>ST change (s).</summary>
    StChange = 18,
    /// <summary>T-wave change (T).</summary>
    TChange = 19,
    /// <summary>Systole (*).</summary>
    Systole = 20,
    /// <summary>Diastole (D).</summary>
    Diastole = 21,
    /// <summary>Comment annotation (").</summary>
    Note = 22,
    /// <summary>Measurement annotation (=).</summary>
    Measure = 23,
    /// <summary>P-wave peak (p).</summary>
    PWave = 24,
    /// <summary>Left or right bundle branch block (B).</summary>
    Bbb = 25,
    /// <summary>Non-conducted pacer spike (^).</summary>
    PaceSpike = 26,
    /// <summary>T-wave peak (t).</summary>
    TWave = 27,
    /// <summary>Rhythm change (+); the new rhythm is in the aux string, e.g. "(AFIB".</summary>
    Rhythm = 28,
    /// <summary>U-wave peak (u).</summary>
    UWave = 29,
    /// <summary>Learning (?).</summary>
    Learn = 30,
    /// <summary>Ventricular flutter wave (!).</summary>
    FlutterWave = 31,
    /// <summary>Start of ventricular flutter/fibrillation ([).</summary>
    VfOnset = 32,
    /// <summary>End of ventricular flutter/fibrillation (]).</summary>
    VfOffset = 33,
    /// <summary>Atrial escape beat (e).</summary>
    AtrialEscape = 34,
    /// <summary>Supraventricular escape beat (n).</summary>
    SvEscape = 35,
    /// <summary>Link to external data (@); the aux string holds the URL.</summary>
    Link = 36,
    /// <summary>Non-conducted P-wave, blocked APC (x).</summary>
    NonConductedP = 37,
    /// <summary>Fusion of paced and normal beat (f).</summary>
    PacedFusion = 38,
    /// <summary>Waveform onset, "(".</summary>
    WaveOnset = 39,
    /// <summary>Waveform end, ")".</summary>
    WaveOffset = 40,
    /// <summary>R-on-T premature ventricular contraction (r).</summary>
    ROnT = 41,
}
