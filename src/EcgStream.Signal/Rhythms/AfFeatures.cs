namespace EcgStream.Signal.Rhythms;

/// <summary>
/// RR-irregularity features for atrial fibrillation after Dash, Chon, Lu &amp; Raeder, "Automatic real time
/// detection of atrial fibrillation", Ann. Biomed. Eng. 37(9):1701–1709 (2009): normalised RMSSD,
/// Shannon entropy of the RR histogram and the turning-point ratio, computed after dropping the
/// N/16 longest and N/16 shortest intervals (Dash: 8 of 128). AF when all three are in their AF range.
/// <para>
/// Those three measure how much RR varies, not whether the variation is organised, so frequent ectopy reads as AF:
/// bigeminy (short-long, short-long) and trigeminy (normal-short-long, …) vary RR a lot, but repeat with a period of
/// 2 or 3 intervals. <see cref="LagRatio"/> measures that: the mean |RR[i] − RR[i−k]| for k = 2 and 3 against the
/// mean |RR[i] − RR[i−1]|. In AF every interval is independent of the ones before, so all lags differ alike (ratio
/// ≈ 1); in bigeminy RR[i] ≈ RR[i−2] and in trigeminy RR[i] ≈ RR[i−3] (0.14–0.2 over 32 intervals in MIT-BIH 208's trigeminy).
/// Isolated ectopics do not repeat regularly; those are left to the removal of premature/compensatory pairs.
/// </para>
/// </summary>
/// <param name="LagRatio">min(Σ|RR[i] − RR[i−2]|, Σ|RR[i] − RR[i−3]|) / Σ|RR[i] − RR[i−1]| over the uncut series
/// (NaN when not computed or when RR does not vary at all).</param>
public readonly record struct AfFeatures(int Count, double NormalisedRmssd, double ShannonEntropy, int TurningPoints, double TurningPointZ,
    double LagRatio = double.NaN)
{

    /// <summary>
    /// Computes the features of <paramref name="rr"/> (intervals in any unit, in order). <paramref name="scratch"/>
    /// must hold at least rr.Length values; nothing is allocated.
    /// </summary>
    public static AfFeatures Compute(ReadOnlySpan<double> rr, Span<double> scratch) => Compute(rr, rr, scratch);

    /// <summary>Fewest intervals the features are computed from (fewer: RMSSD, entropy and lag ratio are NaN).</summary>
    public const int MinIntervals = 8;

    /// <summary>
    /// As <see cref="Compute(ReadOnlySpan{double}, Span{double})"/>, with RMSSD and entropy taken over
    /// <paramref name="cleaned"/> (ectopic pairs removed) and turning points over the uncut series <paramref name="rr"/>:
    /// removing premature/compensatory pairs removes turning points too, which would bias the test towards "regular".
    /// </summary>
    public static AfFeatures Compute(ReadOnlySpan<double> rr, ReadOnlySpan<double> cleaned, Span<double> scratch)
    {
        // Turning points of the uncut series vs. a random series: mean (2n − 4)/3, variance (16n − 29)/90.
        int tp = 0, nr = rr.Length;
        for (int i = 1; i < nr - 1; i++)
            if ((rr[i] > rr[i - 1] && rr[i] > rr[i + 1]) || (rr[i] < rr[i - 1] && rr[i] < rr[i + 1])) tp++;
        double z = nr >= 3 ? (tp - (2.0 * nr - 4) / 3) / Math.Sqrt((16.0 * nr - 29) / 90) : double.NaN;

        var uncut = rr;
        rr = cleaned;
        int n = rr.Length;
        if (n < MinIntervals || nr < MinIntervals) return new AfFeatures(n, double.NaN, double.NaN, tp, z);
        if (scratch.Length < n) throw new ArgumentException($"scratch holds {scratch.Length}, {n} needed", nameof(scratch));

        // Outlier bounds: the values that remain after trimming n/16 from each end.
        var sorted = scratch[..n];
        rr.CopyTo(sorted);
        sorted.Sort();
        int trim = n / 16;
        double lo = sorted[trim], hi = sorted[n - 1 - trim];

        // RMSSD over successive intervals that both survive the trim, normalised by their mean.
        double sum = 0, ss = 0;
        int count = 0, diffs = 0;
        double prev = double.NaN;
        for (int i = 0; i < n; i++)
        {
            double v = rr[i];
            if (v < lo || v > hi) { prev = double.NaN; continue; }
            sum += v;
            count++;
            if (!double.IsNaN(prev)) { ss += (v - prev) * (v - prev); diffs++; }
            prev = v;
        }
        double mean = sum / count;
        double nrmssd = diffs > 0 ? Math.Sqrt(ss / diffs) / mean : 0;

        // Shannon entropy of a 16-bin histogram spanning [lo, hi], normalised by log 16.
        const int bins = 16;
        Span<int> hist = stackalloc int[bins];
        double width = (hi - lo) / bins;
        for (int i = 0; i < n; i++)
        {
            double v = rr[i];
            if (v < lo || v > hi) continue;
            int b = width > 0 ? Math.Min(bins - 1, (int)((v - lo) / width)) : 0;
            hist[b]++;
        }
        double entropy = 0;
        foreach (var h in hist)
        {
            if (h == 0) continue;
            double p = h / (double)count;
            entropy -= p * Math.Log(p);
        }
        entropy /= Math.Log(bins);
        return new AfFeatures(n, nrmssd, entropy, tp, z, PeriodicLagRatio(uncut));
    }

    /// <summary>
    /// min over k = 2, 3 of Σ|RR[i] − RR[i−k]| / Σ|RR[i] − RR[i−1]|, all sums over i ≥ 3 (the same intervals for
    /// every lag). Taken over the uncut series on purpose: the premature and compensatory intervals of ectopy are
    /// what repeats. NaN when fewer than 4 intervals or when RR does not vary.
    /// </summary>
    public static double PeriodicLagRatio(ReadOnlySpan<double> rr)
    {
        if (rr.Length < 4) return double.NaN;
        double d1 = 0, d2 = 0, d3 = 0;
        for (int i = 3; i < rr.Length; i++)
        {
            d1 += Math.Abs(rr[i] - rr[i - 1]);
            d2 += Math.Abs(rr[i] - rr[i - 2]);
            d3 += Math.Abs(rr[i] - rr[i - 3]);
        }
        return d1 > 0 ? Math.Min(d2, d3) / d1 : double.NaN;
    }

    /// <summary>
    /// A 0..1 score: the smallest of the logistic memberships centred on the thresholds (a fuzzy AND), so it is
    /// above 0.5 exactly when all three criteria of Dash et al. hold and RR does not repeat with a period of 2 or 3
    /// intervals (<see cref="RuleOptions.AfMinLagRatio"/>).
    /// </summary>
    public double Score(RuleOptions options)
    {
        if (double.IsNaN(NormalisedRmssd)) return double.NaN;
        double m1 = Logistic((NormalisedRmssd - options.AfMinNormalisedRmssd) / 0.02);
        double m2 = Logistic((ShannonEntropy - options.AfMinShannonEntropy) / 0.04);
        double m3 = Logistic((options.AfTurningPointZ - Math.Abs(TurningPointZ)) / 0.3);
        double score = Math.Min(m1, Math.Min(m2, m3));
        // Ectopy check (off when the minimum is 0, or when the dispersion was not computed).
        if (options.AfMinLagRatio > 0 && !double.IsNaN(LagRatio))
            score = Math.Min(score, Logistic((LagRatio - options.AfMinLagRatio) / 0.05));
        return score;
    }

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));
}
