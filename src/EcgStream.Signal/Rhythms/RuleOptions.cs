namespace EcgStream.Signal.Rhythms;

/// <summary>Thresholds of the rule-based rhythm detector.</summary>
public sealed record RuleOptions
{
    public static RuleOptions Default { get; } = new();

    /// <summary>Seconds between decisions (the decision grid).</summary>
    public double DecisionSeconds { get; init; } = 1.0;
    /// <summary>RR intervals the AF features are computed over. Dash et al. used 128; 32 quarters the onset latency
    /// and on MIT-BIH 201/203 + CPSC 2021 gave about the same window sensitivity as 64 (91.3% vs 91.6%) with higher
    /// specificity (67.5% vs 61.9%), mostly from shorter lag after AF offsets.</summary>
    public int AfBeats { get; init; } = 32;
    /// <summary>Dash et al. (2009): AF needs RMSSD/mean RR above this…</summary>
    public double AfMinNormalisedRmssd { get; init; } = 0.1;
    /// <summary>…and the Shannon entropy of the 16-bin RR histogram (normalised to 0..1) above this…</summary>
    public double AfMinShannonEntropy { get; init; } = 0.7;
    /// <summary>…and the turning-point count inside this many standard deviations of a random series' expectation.
    /// Dash et al. used 1.96 (a 5% test), which over short sliding windows rejects stretches of genuinely random RR;
    /// 2.58 (1%) still rejects bigeminy (z ≈ +4 at 32 beats) and smooth sinus rhythm (z ≈ −4…−7 on CPSC 2021).</summary>
    public double AfTurningPointZ { get; init; } = 2.58;
    /// <summary>
    /// Ectopy check: AF also needs <see cref="AfFeatures.LagRatio"/> (how much RR differs 2 and 3 intervals apart,
    /// against 1 apart, over the uncut last <see cref="AfBeats"/> intervals) at or above this. AF ≈ 1; bigeminy and
    /// trigeminy repeat with period 2 or 3 and fall well below. 0 turns the check off (the detector before it).
    /// Default chosen on half of the MIT-BIH DS1 records without AF plus the CPSC 2021 records, the other half and
    /// MIT-BIH 201/203 held out: docs/results.md "Rule AF detector and ectopy".
    /// </summary>
    public double AfMinLagRatio { get; init; } = 0.65;
    /// <summary>RR intervals the lag ratio is computed over (longer than <see cref="AfBeats"/>: the ratio of two
    /// sums of absolute differences is noisy over 32 intervals, and it only vetoes, so a longer memory costs no AF
    /// onset latency, only a slower veto when ectopy starts).</summary>
    public int AfLagBeats { get; init; } = 96;
    /// <summary>Drop premature-beat/compensatory-pause RR pairs (isolated ectopics) before the AF features.</summary>
    public bool RemoveEctopicPairs { get; init; } = true;
    /// <summary>
    /// With <see cref="RemoveEctopicPairs"/>, also drop interruptions of a regular rhythm before the AF features: one premature interval, a couplet or a
    /// regular run of up to 8 (an SVTA or PAC salvo), and the return interval after it, where the interval before lies
    /// on the normal cycle (or closes a removed pair or interruption) and the one after the return is on it or premature again (see
    /// <see cref="InterruptionFrame"/>, <see cref="InterruptionPremature"/>). Catches PACs without a compensatory pause
    /// (a PAC resets the sinus node, so premature + return sum to less than two cycles) and SVTA runs, which
    /// <see cref="RemoveEctopicPairs"/> does not. In AF the framing intervals are as random as the rest, so little is
    /// removed. Chosen on the tuning half of DS1 + CPSC 2021 (docs/results.md, "Rules: an interrupted regular rhythm is not AF").
    /// </summary>
    public bool RemoveInterruptions { get; init; } = true;
    /// <summary>
    /// A beat whose QRS correlates with the lead's dominant QRS shape below this is odd (<see cref="Qrs.QrsBeat.Shape"/>,
    /// <see cref="Qrs.QrsShapes"/>: PVCs, fusion beats). When the intervals between the other beats are regular, the odd
    /// beats explain the irregularity and the AF score is 0, whatever their timing: late-coupled PVCs that no timing
    /// criterion catches (MIT-BIH 208). Only a veto: AF keeps the QRS of conducted beats and the intervals between them
    /// stay irregular. 0 turns it off. Chosen on the tuning half of DS1 + CPSC 2021 (docs/results.md, "Rules: a beat of
    /// another QRS shape is not AF's").
    /// </summary>
    public double OddShapeCorrelation { get; init; } = 0.7;
    /// <summary>
    /// Most RR intervals the odd-shape veto reaches back over: its window is the last <see cref="AfBeats"/> intervals,
    /// extended until 12 of them lie between beats of the dominant shape, at most this many (about a minute at 90 bpm).
    /// 32: the window of the AF features alone (the veto before session 19).
    /// </summary>
    public int OddShapeMaxBeats { get; init; } = 96;
    /// <summary>
    /// The odd-shape veto also holds when the intervals between the other beats are irregular, but less than this fraction
    /// as irregular as all of them (RMSSD / mean, over the same window): the odd beats carry most of the irregularity.
    /// In AF the conducted intervals are as irregular as the rest (ratio ≈ 1); in trigeminy with couplets and a sinus
    /// cycle that drifts with the rate (MIT-BIH 208) the rest can sit just above AF's floor while being only about half as
    /// irregular as all the intervals (at 1078 s: 0.113 against 0.21). 0 turns it off (the floor alone). Chosen on the tuning half of DS1 + CPSC
    /// 2021 (docs/results.md, "Rules: odd beats that carry most of the irregularity").
    /// </summary>
    public double OddRestRatio { get; init; } = 0.6;
    /// <summary>
    /// While the AF window fills (fewer than <see cref="AfBeats"/>/2 intervals left after the ectopy removal: a stream's
    /// first 10–20 s, or after a gap), at least 8 intervals whose RMSSD / mean lies below
    /// <see cref="AfMinNormalisedRmssd"/> make the AF score 0 ("regular so far") instead of no opinion. Only a veto:
    /// irregular first intervals still give no opinion. Without it a model certain of AF could carry the fused AF alone over
    /// the regular first seconds of a stream, before the rules can judge (FusedEctopyTests; docs/results.md, "The rules
    /// judge a stream's first seconds"). False: no opinion until AfBeats/2 intervals (the detector before it).
    /// </summary>
    public bool EarlyRegularVeto { get; init; } = true;
    /// <summary>An interruption's intervals are premature below this fraction of the normal cycle (the coupling).</summary>
    public double InterruptionPremature { get; init; } = 0.8;
    /// <summary>The intervals framing an interruption, and its return, lie within this fraction of the normal cycle
    /// (the return: at least 1 − this, at most 1.3 cycles; longer, premature + return reach the compensatory pair).</summary>
    public double InterruptionFrame { get; init; } = 0.1;
    /// <summary>Judge those pairs against half the median sum of adjacent intervals (true) rather than the median
    /// interval (false, the detector before): with frequent ectopy or bigeminy the median interval is itself
    /// premature, and the pairs go unrecognised.</summary>
    public bool EctopicReferenceFromPairs { get; init; } = true;
    /// <summary>Heart rate is the median RR over this many seconds.</summary>
    public double HeartRateSeconds { get; init; } = 10;
    /// <summary>Sinus bradycardia below this rate (bpm); the tracker requires it sustained.</summary>
    public double BradycardiaBpm { get; init; } = 50;
    /// <summary>Sinus tachycardia above this rate (bpm).</summary>
    public double TachycardiaBpm { get; init; } = 100;
    /// <summary>PAUSE alarm: an RR interval longer than this (s). Monitors use 2.5–3 s.</summary>
    public double PauseSeconds { get; init; } = 3.0;
    /// <summary>ASYSTOLE alarm: no QRS for this long (s) while a lead is connected.</summary>
    public double AsystoleSeconds { get; init; } = 4.0;
    /// <summary>Seconds of quality epochs the NOISE score averages.</summary>
    public int NoiseSeconds { get; init; } = 5;
}
