namespace EcgStream.Signal.Rhythms;

/// <summary>
/// The model's rhythm path input (contract v2 <c>rhythm</c>, float32 [N, <see cref="Count"/>]): RR-interval
/// features of the beats the runtime's own QRS detector found in the last <see cref="ContextSeconds"/> before a
/// window's end. AF is judged from RR irregularity over tens of seconds, which a 9 s window cannot show; these
/// give the model that context. Training computes them with the same code from the same detector
/// (<see cref="RhythmContext"/>), so there is no skew between what the model learnt and what it is fed.
/// <para>
/// Every feature is finite and roughly of unit scale; with fewer than <see cref="MinIntervals"/> intervals in the
/// context all are 0 (feature 0, "valid", says which). Order (versioned by <see cref="Version"/>):
/// 0 valid · 1 context covered (beat span / 60 s) · 2 heart rate / 100 bpm (median RR) · 3 RR coefficient of
/// variation · 4 RMSSD / mean RR · 5 median |ΔRR| / median RR · 6 fraction of |ΔRR| &gt; 12.5 % of the median RR ·
/// 7 Shannon entropy of the RR histogram (Dash et al.) · 8 turning-point z / 3 · 9 lag ratio (ectopy repeats with
/// period 2 or 3; ≈ 1 in AF) · 10 fraction of premature/compensatory pairs (RR &lt; 0.85 median then &gt; 1.1 median) ·
/// 11 Poincaré SD1/SD2 · 12 sample entropy of RR (m = 1, r = 0.1 median RR) / 3 · 13 RMSSD / mean RR with the
/// intervals around premature pairs removed.
/// </para>
/// </summary>
public static class RhythmFeatures
{
    /// <summary>Features per window.</summary>
    public const int Count = Core.Models.ModelContract.RhythmFeatureCount;

    /// <summary>Seconds of beats before the window's end that the features read.</summary>
    public const double ContextSeconds = 60;

    /// <summary>Fewer RR intervals than this and the features are all 0 (not valid).</summary>
    public const int MinIntervals = 6;

    /// <summary>Names the feature layout; the model metadata carries it and the runtime refuses another.</summary>
    public const string Version = Core.Models.ModelContract.RhythmFeaturesVersion;

    /// <summary>Most beats a context can hold (60 s at 300 bpm), so scratch space is fixed.</summary>
    public const int MaxBeats = 320;

    /// <summary>
    /// Writes the features of the RR intervals <paramref name="rr"/> (seconds, in order) into
    /// <paramref name="features"/> (<see cref="Count"/> values). <paramref name="scratch"/> must hold 3 × rr.Length
    /// values; nothing is allocated.
    /// </summary>
    public static void Compute(ReadOnlySpan<double> rr, double spanSeconds, Span<float> features, Span<double> scratch)
    {
        if (features.Length < Count) throw new ArgumentException($"features holds {features.Length}, {Count} needed", nameof(features));
        features[..Count].Clear();
        int n = rr.Length;
        if (n < MinIntervals) return;
        if (scratch.Length < 3 * n) throw new ArgumentException($"scratch holds {scratch.Length}, {3 * n} needed", nameof(scratch));
        var sorted = scratch[..n];
        rr.CopyTo(sorted);
        sorted.Sort();
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        if (!(median > 0)) return;

        double mean = 0;
        foreach (var v in rr) mean += v;
        mean /= n;
        double var = 0;
        foreach (var v in rr) var += (v - mean) * (v - mean);
        double sd = Math.Sqrt(var / n);

        // Successive differences.
        var diffs = scratch.Slice(n, n - 1);
        double ss = 0;
        int large = 0;
        for (int i = 1; i < n; i++)
        {
            double d = rr[i] - rr[i - 1];
            diffs[i - 1] = Math.Abs(d);
            ss += d * d;
            if (Math.Abs(d) > 0.125 * median) large++;
        }
        double rmssd = Math.Sqrt(ss / (n - 1));
        diffs.Sort();
        int m = n - 1;
        double medianDiff = m % 2 == 1 ? diffs[m / 2] : 0.5 * (diffs[m / 2 - 1] + diffs[m / 2]);

        // Premature/compensatory pairs, and RMSSD without the intervals around them.
        int pairs = 0;
        var keep = scratch.Slice(2 * n, n);
        keep.Fill(1);
        for (int i = 0; i + 1 < n; i++)
            if (rr[i] < 0.85 * median && rr[i + 1] > 1.1 * median)
            {
                pairs++;
                keep[i] = 0;
                keep[i + 1] = 0;
            }
        double cleanSs = 0, cleanSum = 0;
        int cleanDiffs = 0, cleanCount = 0;
        for (int i = 0; i < n; i++)
        {
            if (keep[i] == 0) continue;
            cleanSum += rr[i];
            cleanCount++;
            if (i > 0 && keep[i - 1] != 0) { double d = rr[i] - rr[i - 1]; cleanSs += d * d; cleanDiffs++; }
        }
        double cleanRmssd = cleanDiffs > 0 ? Math.Sqrt(cleanSs / cleanDiffs) / (cleanSum / cleanCount) : 0;

        // Poincaré: SD1 from successive differences, SD2 from the total variance.
        double sd1 = rmssd / Math.Sqrt(2);
        double sd2Sq = 2 * sd * sd - sd1 * sd1;
        double poincare = sd2Sq > 1e-12 ? sd1 / Math.Sqrt(sd2Sq) : 0;

        var af = AfFeatures.Compute(rr, scratch.Slice(n, n));   // reuses the diff scratch (no longer needed)
        double lag = double.IsNaN(af.LagRatio) ? 1 : af.LagRatio;

        features[0] = 1;
        features[1] = (float)Math.Clamp(spanSeconds / ContextSeconds, 0, 1);
        features[2] = (float)Math.Clamp(60 / median / 100, 0, 4);
        features[3] = (float)Math.Min(sd / mean, 2);
        features[4] = (float)Math.Min(rmssd / mean, 2);
        features[5] = (float)Math.Min(medianDiff / median, 2);
        features[6] = (float)large / (n - 1);
        features[7] = double.IsNaN(af.ShannonEntropy) ? 0 : (float)af.ShannonEntropy;
        features[8] = double.IsNaN(af.TurningPointZ) ? 0 : (float)Math.Clamp(af.TurningPointZ / 3, -3, 3);
        features[9] = (float)Math.Clamp(lag, 0, 2);
        features[10] = (float)pairs / n;
        features[11] = (float)Math.Min(poincare, 3);
        features[12] = (float)(SampleEntropy(rr, 0.1 * median) / 3);
        features[13] = (float)Math.Min(cleanRmssd, 2);
    }

    /// <summary>
    /// Sample entropy with template length 1: −ln(A/B), B the pairs of intervals within <paramref name="r"/> of each
    /// other, A the pairs whose successors are also within r. Capped at 3 (also when no pair matches, as in AF's few beats).
    /// </summary>
    private static double SampleEntropy(ReadOnlySpan<double> rr, double r)
    {
        int n = rr.Length;
        long a = 0, b = 0;
        for (int i = 0; i < n - 1; i++)
            for (int j = i + 1; j < n - 1; j++)
            {
                if (Math.Abs(rr[i] - rr[j]) > r) continue;
                b++;
                if (Math.Abs(rr[i + 1] - rr[j + 1]) <= r) a++;
            }
        if (b == 0) return 3;
        if (a == 0) return 3;
        return Math.Min(3, -Math.Log((double)a / b));
    }
}
