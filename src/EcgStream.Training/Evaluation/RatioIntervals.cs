using EcgStream.Core.Rhythms;
using EcgStream.Synthetic.Model;
using EcgStream.Training.Data;

namespace EcgStream.Training.Evaluation;

/// <summary>
/// How far a ratio of two models' scores on one source could move with another draw of its patients: a 95 % interval.
/// <see cref="Patients"/> is the number of units drawn.
/// </summary>
public sealed record RatioInterval(string Source, int Patients, double MacroLow, double MacroHigh, double AfF1Low, double AfF1High);

/// <summary>
/// Paired bootstrap of the ratio of one model's record-level scores to another's (<see cref="RecordScores"/>: macro AUROC
/// and AF F1 at each model's own threshold), per source and over all. The unit drawn is the patient (splits are by
/// patient, and one patient's records are not independent: CPSC 2021 holds about 14 per patient; an annotated stream's
/// window rows move with their record); "all" draws each source's patients apart, as many as it has, so every resample
/// keeps the test set's mix of sources. Both models are scored on the same draw, so what they share — which records
/// happen to be held out — cancels, and the interval shows what the number of patients alone leaves open: a 98 % target
/// read on 8 recordings is not read on 1 235. The macro AUROC of a resample averages the classes the whole source scores
/// (a resample missing one of them is not scored, rather than averaged over fewer classes). Percentile interval (2.5 %,
/// 97.5 %) of the scored resamples; NaN when fewer than half of them could be scored. Deterministic for a seed.
/// The thresholds are taken as given: on the records that chose them (the validation split), both the ratio and its
/// interval are optimistic.
/// </summary>
public static class RatioIntervals
{
    public const int DefaultResamples = 1000;

    /// <param name="patientOf">The patient of a record id (default: every record its own patient).</param>
    public static List<RatioInterval> Paired(WindowSet windows, ReadOnlySpan<float> reference, double referenceAf, ReadOnlySpan<float> other, double otherAf,
        Func<string, string>? patientOf = null, int resamples = DefaultResamples, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 10);
        patientOf ??= record => record;
        int classes = RhythmClasses.Count, af = (int)RhythmClass.AF;
        var (a, masks, known, units) = RecordLevel.Fold(reference, windows);
        var (b, _, _, unitsB) = RecordLevel.Fold(other, windows);
        if (!units.AsSpan().SequenceEqual(unitsB)) throw new InvalidOperationException("the two models' rows differ: RecordLevel.Fold is not deterministic");

        // rows of each patient, per source (in order of first appearance: deterministic)
        var strata = new SortedDictionary<string, List<List<int>>>(StringComparer.Ordinal);
        var index = new Dictionary<(string, string), List<int>>();
        for (int r = 0; r < units.Length; r++)
        {
            string record = RecordScores.RecordOf(units[r]);
            string source = RecordScores.SourceOf(record), patient = patientOf(record);
            if (!index.TryGetValue((source, patient), out var rows))
            {
                index[(source, patient)] = rows = [];
                if (!strata.TryGetValue(source, out var groups)) strata[source] = groups = [];
                groups.Add(rows);
            }
            rows.Add(r);
        }

        var result = new List<RatioInterval>();
        ulong stream = 0;
        foreach (var scope in strata.Keys.Append(RecordScores.AllSources))
        {
            var drawFrom = scope == RecordScores.AllSources ? strata.Values.ToList() : [strata[scope]];
            var all = drawFrom.SelectMany(g => g).SelectMany(rows => rows).ToList();
            var scored = ScoredClasses(a, masks, known, all, classes);
            var random = Rng.Derive(seed, stream++);     // the project's seeded generator: the same draws on every runtime
            var macro = new List<double>(resamples);
            var f1 = new List<double>(resamples);
            var chosen = new List<int>();
            for (int s = 0; s < resamples; s++)
            {
                chosen.Clear();
                foreach (var groups in drawFrom)
                    for (int k = 0; k < groups.Count; k++) chosen.AddRange(groups[random.Int(0, groups.Count - 1)]);
                var pa = Gather(a, chosen, classes);
                var pb = Gather(b, chosen, classes);
                var m = chosen.Select(r => masks[r]).ToArray();
                var kn = chosen.Select(r => known[r]).ToArray();
                macro.Add(Ratio(Macro(Auroc.MultiLabel(pb, m, classes, kn).PerClass, scored), Macro(Auroc.MultiLabel(pa, m, classes, kn).PerClass, scored)));
                f1.Add(Ratio(Auroc.F1(pb, m, classes, af, otherAf, kn), Auroc.F1(pa, m, classes, af, referenceAf, kn)));
            }
            var (ml, mh) = Percentiles(macro, resamples);
            var (fl, fh) = Percentiles(f1, resamples);
            result.Add(new RatioInterval(scope, drawFrom.Sum(g => g.Count), ml, mh, fl, fh));
        }
        return result;
    }

    /// <summary>The classes the whole sample scores (positives and negatives among the rows that rule on them).</summary>
    private static int[] ScoredClasses(float[] rows, int[] masks, int[] known, List<int> chosen, int classes)
    {
        var (perClass, _) = Auroc.MultiLabel(Gather(rows, chosen, classes), [.. chosen.Select(r => masks[r])], classes, [.. chosen.Select(r => known[r])]);
        return [.. Enumerable.Range(0, classes).Where(c => double.IsFinite(perClass[c]))];
    }

    /// <summary>The mean over <paramref name="scored"/>, or NaN when a resample leaves one of them without both labels.</summary>
    private static double Macro(double[] perClass, int[] scored)
    {
        if (scored.Length == 0) return double.NaN;
        double sum = 0;
        foreach (int c in scored)
        {
            if (!double.IsFinite(perClass[c])) return double.NaN;
            sum += perClass[c];
        }
        return sum / scored.Length;
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
}
