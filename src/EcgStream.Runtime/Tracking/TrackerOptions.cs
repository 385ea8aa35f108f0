using EcgStream.Core.Rhythms;

namespace EcgStream.Runtime.Tracking;

/// <summary>
/// How per-window decisions become episodes. Two kinds of hysteresis: in level (a class opens at
/// <see cref="OnThreshold"/> and closes only below <see cref="OnThreshold"/> − <see cref="Hysteresis"/>)
/// and in time (the evidence must persist <see cref="MinOnsetSeconds"/> to open and
/// <see cref="MinOffsetSeconds"/> to close), so a single noisy window neither opens nor closes an episode.
/// </summary>
public sealed record TrackerOptions
{
    /// <summary>Probability at or above which a window votes for a class (per class: <see cref="Thresholds"/>).</summary>
    public double OnThreshold { get; init; } = 0.5;

    /// <summary>Per-class decision thresholds (e.g. from model metadata); overrides <see cref="OnThreshold"/>.</summary>
    public IReadOnlyList<double>? Thresholds { get; init; }

    /// <summary>How far below its threshold a class must fall before a window votes against an open episode.</summary>
    public double Hysteresis { get; init; } = 0.15;

    /// <summary>Stream time from the first to the last of the consecutive votes that open an episode.</summary>
    public double MinOnsetSeconds { get; init; } = 2.0;

    /// <summary>
    /// Per class, evidence a run of votes must also accumulate before it opens an episode: Σ (p − threshold) · Δt over
    /// the run's votes (Δt: stream seconds since the previous window; the run's first vote adds nothing), in
    /// probability-seconds. Level and persistence trade against each other: a run well above threshold opens after
    /// <see cref="MinOnsetSeconds"/>, a marginal one only if it lasts (at 0.9 on a 0.5 threshold 0.4 a second accrues,
    /// at 0.6 only 0.1). Classes not listed: 0, time alone decides.
    /// </summary>
    public IReadOnlyDictionary<RhythmClass, double>? MinOnsetEvidence { get; init; }

    /// <summary>Stream time from the first to the last of the consecutive votes that close one.</summary>
    public double MinOffsetSeconds { get; init; } = 2.0;

    /// <summary>Classes to report; null: every class the source has an opinion on.</summary>
    public IReadOnlySet<RhythmClass>? Classes { get; init; }

    public double ThresholdOf(int classIndex) =>
        Thresholds is { } t && classIndex < t.Count ? t[classIndex] : OnThreshold;

    public double MinOnsetEvidenceOf(int classIndex) =>
        MinOnsetEvidence is { } m && m.TryGetValue((RhythmClass)classIndex, out var e) ? e : 0;

    /// <summary>These options with <paramref name="rhythm"/>'s onset evidence set to <paramref name="evidence"/> (the other classes' kept).</summary>
    public TrackerOptions WithMinOnsetEvidence(RhythmClass rhythm, double evidence) => this with
    {
        MinOnsetEvidence = new Dictionary<RhythmClass, double>(MinOnsetEvidence ?? new Dictionary<RhythmClass, double>()) { [rhythm] = evidence },
    };

    internal void Validate()
    {
        if (OnThreshold is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(OnThreshold), OnThreshold, "must lie in (0, 1)");
        if (Hysteresis < 0 || Hysteresis >= OnThreshold) throw new ArgumentOutOfRangeException(nameof(Hysteresis), Hysteresis, "must lie in [0, OnThreshold)");
        if (MinOnsetSeconds < 0) throw new ArgumentOutOfRangeException(nameof(MinOnsetSeconds), MinOnsetSeconds, "must be non-negative");
        if (MinOffsetSeconds < 0) throw new ArgumentOutOfRangeException(nameof(MinOffsetSeconds), MinOffsetSeconds, "must be non-negative");
        if (MinOnsetEvidence is { } m)
            foreach (var (c, e) in m)
                if (!(e >= 0)) throw new ArgumentOutOfRangeException(nameof(MinOnsetEvidence), e, $"onset evidence of class {RhythmClasses.Name(c)} must be non-negative");
        if (Thresholds is { } t)
            for (int i = 0; i < t.Count; i++)
                if (t[i] is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Thresholds), t[i], $"threshold of class {i} must lie in (0, 1)");
    }
}
