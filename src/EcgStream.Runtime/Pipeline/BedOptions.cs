using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Fusion;
using EcgStream.Runtime.Tracking;
using EcgStream.Signal.Pipeline;

namespace EcgStream.Runtime.Pipeline;

/// <summary>Settings of one bed's pipeline.</summary>
public sealed record BedOptions
{
    public static BedOptions Default { get; } = new();

    public const double DefaultMaxGapFillSeconds = 10;

    public SignalChainOptions Signal { get; init; } = SignalChainOptions.Default;

    /// <summary>
    /// Longest gap (stream seconds) filled with held, unreadable samples to keep the filters settled. A longer
    /// gap is not synthesised: the stream state starts afresh (STREAM_RESTART), so the work a gap causes is
    /// bounded by this, whatever a frame header claims.
    /// </summary>
    public double MaxGapFillSeconds { get; init; } = DefaultMaxGapFillSeconds;

    /// <summary>
    /// Tracking of the rules' decisions. The rules give AF, STACH, SBRAD and NOISE; NOISE is
    /// reported as an alarm (from the quality states), so it is not tracked as a rhythm here.
    /// The rules judge AF on the last 32 RR intervals, whose irregularity dips now and then inside
    /// an AF episode; an episode therefore closes only after 20 s of contrary evidence. Measured
    /// with `ecgstream evaluate` on MIT-BIH 201, 203 and CPSC 2021 (docs/benchmarks.md): pooled AF
    /// episode PPV 0.58 → 0.90 against a 2 s offset, sensitivity 0.94 → 0.97, at the cost of later
    /// offsets. (Those records are also where it is evaluated: the choice is tuned on them.)
    /// </summary>
    public TrackerOptions RuleTracker { get; init; } = new()
    {
        Classes = new HashSet<RhythmClass> { RhythmClass.AF, RhythmClass.STACH, RhythmClass.SBRAD },
        MinOffsetSeconds = 20,
    };

    /// <summary>
    /// Tracking of the model's window scores (per-class thresholds come from the model's metadata).
    /// Sinus rhythm is the background, not an event: it is left out unless listed here.
    /// </summary>
    public TrackerOptions ModelTracker { get; init; } = new()
    {
        Classes = Enum.GetValues<RhythmClass>().Where(c => c != RhythmClass.SR).ToHashSet(),
    };

    /// <summary>How the fused source combines rule and model evidence (docs/events.md, "Fused events").</summary>
    public FusionOptions Fusion { get; init; } = FusionOptions.Default;

    /// <summary>
    /// Tracking of the fused evidence, the source that alarms. Its scale puts every class's threshold at 0.5.
    /// Every class but SR (the background) and NOISE (an alarm from signal quality). An episode closes after
    /// 20 s of contrary evidence, as the rules' do (the rules' AF evidence dips within AF episodes).
    /// An AF onset also needs 0.6 evidence-seconds above 0.5 (<see cref="TrackerOptions.MinOnsetEvidence"/>): where rules
    /// and model agree on AF the fused evidence is 0.75–0.95 and that takes 2–3 s (2 s is the minimum anyway); the false AF
    /// of ectopy-rich records came mostly as 3–10 s runs at 0.55–0.67 (the model confident, the rules lukewarm, or both
    /// marginal), which now must last 5–13 s. Chosen with <see cref="FusionOptions.NotAgainstEvidence"/> (then 0.2) on
    /// the tuning half of DS1 + CPSC 2021 (docs/results.md, "Fused AF and ectopy"); not chosen again when the fusion's
    /// defaults moved to 0.7 / 0.4 in session 19, whose nested run kept it fixed. Other classes (VT, VF, …) keep time alone:
    /// a lethal rhythm is not made to wait for confidence.
    /// </summary>
    public TrackerOptions FusedTracker { get; init; } = new()
    {
        Classes = Enum.GetValues<RhythmClass>().Where(c => c is not (RhythmClass.SR or RhythmClass.NOISE)).ToHashSet(),
        MinOffsetSeconds = 20,
        MinOnsetEvidence = new Dictionary<RhythmClass, double> { [RhythmClass.AF] = 0.6 },
    };
}
