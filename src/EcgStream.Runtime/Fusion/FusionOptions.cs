using EcgStream.Core.Rhythms;

namespace EcgStream.Runtime.Fusion;

/// <summary>
/// How <see cref="FusionStage"/> combines the rules' and the model's per-window evidence. Each source's
/// probability is first put on one scale, its <i>evidence</i>: 0.5 at the source's own decision threshold,
/// linear on either side (0 → 0, threshold → 0.5, 1 → 1), so "above threshold" means the same for both.
/// The fused score is again evidence: the fused tracker opens a class at 0.5.
/// docs/events.md ("Fused events") gives the rule and the reasons.
/// </summary>
public sealed record FusionOptions
{
    public static FusionOptions Default { get; } = new();

    /// <summary>
    /// Classes both sources judge and that alarm only when they agree: fused evidence = min(rule, model), so both
    /// must be above threshold — unless one is confident (<see cref="ModelConfidentEvidence"/>,
    /// <see cref="RuleConfidentEvidence"/>) and the other at least
    /// <see cref="NotAgainstEvidence"/>. AF: the rules know ectopy (the lag ratio), the model knows morphology
    /// (P waves, flutter waves); either alone raises false AF on ectopy-rich records.
    /// </summary>
    public IReadOnlySet<RhythmClass> AgreementClasses { get; init; } = new HashSet<RhythmClass> { RhythmClass.AF };

    /// <summary>
    /// Classes the rules define by measured heart rate (sinus brady/tachycardia): the rules decide, the model is
    /// used only while the rules have no opinion; suppressed while the fused AF evidence is at or above 0.5 (an
    /// irregular fast rhythm voted AF is not sinus tachycardia).
    /// </summary>
    public IReadOnlySet<RhythmClass> RateClasses { get; init; } = new HashSet<RhythmClass> { RhythmClass.STACH, RhythmClass.SBRAD };

    /// <summary>
    /// Model evidence at or above which the model carries an agreement class alone, if the rules are not against it.
    /// At AF onsets the model (9 s window) leads the rules (32 RR intervals) by about 10 s, and a stream that starts in AF
    /// has model windows from 10 s on while the rules need 16 intervals; this is what lets the fused source alarm before
    /// the rules agree. 0.7 since session 19 (0.8 before): chosen on every fold by nested leave-patient-out
    /// cross-validation over DS1 + CPSC 2021 (docs/runs/2026-12-05/rules-early/), once the rules judge a stream's regular
    /// first seconds (<see cref="EcgStream.Signal.Rhythms.RuleOptions.EarlyRegularVeto"/>). Before that, a model certain of
    /// AF raised fused AF at 0.7 over the regular start of every synthetic record of FusedEctopyTests; now none.
    /// </summary>
    public double ModelConfidentEvidence { get; init; } = 0.7;

    /// <summary>
    /// Rule evidence at or above which the rules carry an agreement class alone, if the model is not against it.
    /// Infinity (the default): never — the rules' AF score is high on runs of ventricular tachycardia and on
    /// irregular paced rhythm, where only the model can tell.
    /// </summary>
    public double RuleConfidentEvidence { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Evidence at or above which a source is "not against" the other's confident call. A source with no opinion
    /// (NaN: too few beats, a noisy stretch, no model window) counts as exactly this: it neither agrees nor vetoes.
    /// 0.4 since session 19 (0.2 before; the rules' AF probability 0.4). The nested choice of session 19 took 0.2 on four
    /// folds of five by a score that sees only F1 (0.4's inner scores differed in the third decimal of duration F1); on
    /// every check made besides it (session 17's second set of fold models, the shipped model on all 34 records, 0 dB
    /// muscle noise) 0.2 with <see cref="ModelConfidentEvidence"/> 0.7 raised more false AF episodes (one to two per
    /// check; MIT-BIH 109 at its start, where the rules' first score 0.25 let the model through) and 0.4 none. Chosen on
    /// those checks: a deviation from the rule written beforehand, stated in docs/runs/2026-12-05/rules-early/. At 0.1 the
    /// model alone alarmed on PVC-rich MIT-BIH 215 while the rules' AF score wandered at 0.1–0.4 (session 9).
    /// </summary>
    public double NotAgainstEvidence { get; init; } = 0.4;

    /// <summary>The rules' decision threshold (their probability at which evidence is 0.5).</summary>
    public double RuleThreshold { get; init; } = 0.5;

    /// <summary>
    /// A rule decision is paired with the newest model window ending at or before it; one older than this (dropped
    /// windows, a long hop) is no model opinion.
    /// </summary>
    public double ModelMaxAgeSeconds { get; init; } = 10;

    /// <summary>
    /// The model's evidence paired with a rule decision at t is its highest over the windows ending in
    /// [t − this, t] (per class). The rules judge AF on the last 32 RR intervals and so lag the model's 9 s window
    /// by several seconds at an onset; holding the model's evidence that long lets the two agree on short episodes.
    /// 0: the newest window only.
    /// </summary>
    public double ModelHoldSeconds { get; init; } = 0;

    /// <summary>
    /// Stream seconds a rule decision waits for the model to catch up before it is fused without a model opinion.
    /// In replay the model lags at most its queue (256 windows at a 1 s hop); in a live bed a model this far behind
    /// is stalled, and the fused source must not stop with it.
    /// </summary>
    public double ModelWaitSeconds { get; init; } = 600;

    internal void Validate()
    {
        if (!(ModelConfidentEvidence > 0.5)) throw new ArgumentOutOfRangeException(nameof(ModelConfidentEvidence), ModelConfidentEvidence, "must lie above 0.5 (infinity: never)");
        if (!(RuleConfidentEvidence > 0.5)) throw new ArgumentOutOfRangeException(nameof(RuleConfidentEvidence), RuleConfidentEvidence, "must lie above 0.5 (infinity: never)");
        if (NotAgainstEvidence is < 0 or >= 0.5) throw new ArgumentOutOfRangeException(nameof(NotAgainstEvidence), NotAgainstEvidence, "must lie in [0, 0.5)");
        if (RuleThreshold is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(RuleThreshold), RuleThreshold, "must lie in (0, 1)");
        if (!(ModelMaxAgeSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(ModelMaxAgeSeconds), ModelMaxAgeSeconds, "must be non-negative");
        if (!(ModelHoldSeconds >= 0 && ModelHoldSeconds <= ModelMaxAgeSeconds))
            throw new ArgumentOutOfRangeException(nameof(ModelHoldSeconds), ModelHoldSeconds, "must lie in [0, ModelMaxAgeSeconds]");
        if (!(ModelWaitSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(ModelWaitSeconds), ModelWaitSeconds, "must be non-negative");
        foreach (var c in AgreementClasses)
            if (RateClasses.Contains(c)) throw new ArgumentException($"class {RhythmClasses.Name(c)} is both an agreement and a rate class", nameof(RateClasses));
    }
}
