namespace EcgStream.Synthetic;

/// <summary>
/// One stretch of a scenario's timeline: a rhythm for a duration, with optional parameters. Rhythm
/// names (see <see cref="SyntheticRhythms"/>): SR, SBRAD, STACH, SINUS_ARRHYTHMIA, AF, AFL, SVT, VT,
/// VF, PACED, BIGEMINY, TRIGEMINY, PVC (SR with isolated PVCs), PAC (SR with premature atrial beats), PAUSE, ASYSTOLE.
/// </summary>
/// <param name="Rhythm">Rhythm name (case-insensitive).</param>
/// <param name="DurationSeconds">Length of the segment, seconds (&gt; 0).</param>
/// <param name="HeartRate">Mean ventricular rate in bpm (sinus, AF, SVT, VT, paced); default drawn per rhythm and patient.</param>
/// <param name="Conduction">Flutter AV conduction: "2:1", "3:1", "4:1" or "variable" (default 2:1 or 4:1 by chance).</param>
/// <param name="Ectopy">Sinus rhythms: "none", "isolated" (PVCs), "bigeminy", "trigeminy" (ventricular), "pac" (premature atrial beats).</param>
/// <param name="EctopyRate">Isolated PVCs or PACs: probability that a sinus beat is followed by one (0–0.5, default 0.1).</param>
/// <param name="Snr">Noise level in dB for this segment, overriding the scenario's <see cref="NoiseSpec.Snr"/>.</param>
/// <param name="LeadOff">Leads whose electrode is off during the segment (names as in <c>Leads.TryParse</c>).</param>
/// <param name="LeadOffMode">"flat" (0 mV) or "rail" (amplifier saturated at +5 mV); default flat.</param>
/// <param name="PWaves">PAUSE and ASYSTOLE: atrial P waves continue (dropped beats / ventricular standstill); default false (sinus arrest).</param>
/// <param name="AtrialRate">Flutter wave rate per minute (250–350); default drawn per patient.</param>
public sealed record ScenarioSegment(
    string Rhythm,
    double DurationSeconds,
    double? HeartRate = null,
    string? Conduction = null,
    string? Ectopy = null,
    double? EctopyRate = null,
    double? Snr = null,
    IReadOnlyList<string>? LeadOff = null,
    string? LeadOffMode = null,
    bool? PWaves = null,
    double? AtrialRate = null);
