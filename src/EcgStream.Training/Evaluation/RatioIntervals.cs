using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;

namespace EcgStream.Training.Evaluation;

/// <summary>How far a ratio of two models' scores on one source could move with another draw of its records: a 95 % interval.</summary>
public sealed record RatioInterval(string Source, int Records, double MacroLow, double MacroHigh, double AfF1Low, double AfF1High);

/// <summary>
/// Paired bootstrap over records of the ratio of one model's record-level scores to another's (<see cref="RecordScores"/>:
/// macro AUROC and AF F1 at each model's own threshold), per source and over all. Each resample draws a source's records
/// with replacement and scores both models on the same draw (a record of an annotated stream brings all its window rows),
/// so what the two models share — which records happen to be held out — cancels, and the interval shows what the
/// record count alone leaves open: a 98 % target read on 8 records is not read on 1 235. Percentile interval (2.5 %, 97.5 %)
/// of the finite resampled ratios; NaN where fewer than half the resamples give one (a class without both labels).
/// Deterministic for a seed.
/// </summary>
public static class RatioIntervals
{
    public const int DefaultResamples = 1000;

    public static List<RatioInterval> Paired(WindowSet windows, ReadOnlySpan<float> reference, double referenceAf, ReadOnlySpan<float> other, double otherAf,
        int resamples = DefaultResamples, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        int classes = RhythmClasses.Count, af = (int)RhythmClass.AF;
        var (a, masks, known, units) = RecordLevel.Fold(reference, windows);
        var (b, _, _, unitsB) = RecordLevel.Fold(other, windows);
        if (!units.AsSpan().SequenceEqual(unitsB)) throw new InvalidOperationException("the two models' rows differ: RecordLevel.Fold is not deterministic");

        // rows of each record, per source
        var bySource = new SortedDictionary<string, Dictionary<string, List<int>>>(StringComparer.Ordinal);
        for (int r = 0; r < units.Length; r++)
        {
            string record = RecordScores.RecordOf(units[r]);
            foreach (var source in new[] { RecordScores.SourceOf(record), RecordScores.AllSources })
            {
                if (!bySource.TryGetValue(source, out var records)) bySource[source] = records = new(StringComparer.Ordinal);
                if (!records.TryGetValue(record, out var rows)) records[record] = rows = [];
                rows.Add(r);
            }
        }

        var result = new List<RatioInterval>();
        foreach (var (source, records) in bySource.OrderBy(kv => kv.Key == RecordScores.AllSources ? 1 : 0).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var groups = records.Values.ToArray();
            var random = new Random(unchecked(seed * 16777619 ^ StableHash(source)));     // not HashCode.Combine: randomised per process
            var macro = new List<double>(resamples);
            var f1 = new List<double>(resamples);
            var rows = new List<int>();
            for (int s = 0; s < resamples; s++)
            {
                rows.Clear();
                for (int k = 0; k < groups.Length; k++) rows.AddRange(groups[random.Next(groups.Length)]);
                var pa = Gather(a, rows, classes);
                var pb = Gather(b, rows, classes);
                var m = rows.Select(r => masks[r]).ToArray();
                var kn = rows.Select(r => known[r]).ToArray();
                macro.Add(Ratio(Auroc.MultiLabel(pb, m, classes, kn).Macro, Auroc.MultiLabel(pa, m, classes, kn).Macro));
                f1.Add(Ratio(Auroc.F1(pb, m, classes, af, otherAf, kn), Auroc.F1(pa, m, classes, af, referenceAf, kn)));
            }
            var (ml, mh) = Percentiles(macro, resamples);
            var (fl, fh) = Percentiles(f1, resamples);
            result.Add(new RatioInterval(source, groups.Length, ml, mh, fl, fh));
        }
        return result;
    }

    private static float[] Gather(float[] rows, List<int> chosen, int classes)
    {
        var p = new float[chosen.Count * classes];
        for (int j = 0; j < chosen.Count; j++) rows.AsSpan(chosen[j] * classes, classes).CopyTo(p.AsSpan(j * classes, classes));
        return p;
    }

    private static double Ratio(double value, double reference) =>
        double.IsFinite(value) && double.IsFinite(reference) && reference > 0 ? value / reference : double.NaN;

    private static (double Low, double High) Percentiles(List<double> values, int resamples)
    {
        var finite = values.Where(double.IsFinite).Order().ToArray();
        if (finite.Length < resamples / 2) return (double.NaN, double.NaN);
        double At(double q) => finite[(int)Math.Clamp(Math.Round(q * (finite.Length - 1)), 0, finite.Length - 1)];
        return (At(0.025), At(0.975));
    }

    /// <summary>string.GetHashCode is randomised per process; the draws must not be.</summary>
    private static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (char ch in s) h = (h ^ ch) * 16777619;
            return h;
        }
    }
}
