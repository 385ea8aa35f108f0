using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;

namespace EcgStream.Training.Evaluation;

/// <summary>
/// Scores of one source (or "all") at the level a user meets them: macro AUROC over the classes with positives and
/// negatives, AF AUROC and F1. <see cref="Rows"/> are what was scored (<see cref="RecordLevel"/>: one per record for
/// sources labelled per record, one per window for annotated streams); <see cref="AfPositives"/> of them are AF.
/// </summary>
public sealed record SourceScore(string Source, int Records, int Windows, int Rows, int AfPositives, double MacroAuroc, double AfAuroc, double AfF1, double[] PerClassAuroc);

/// <summary>
/// Held-out scores of a model as `ecgstream classify` and the thresholds read it: the rows of <see cref="RecordLevel.Fold"/>
/// (a record labelled as a whole — PTB-XL, PhysioNet 2017, CinC 2021 — is the median of its windows; annotated streams —
/// MIT-BIH, CPSC 2021 — stay window by window, since their label changes within the record), each class read only on the
/// rows whose label rules on it (the known masks: a 2017 "O" record is not AF and not SR, and says nothing about
/// tachycardia). Scored per source (the part of the record id before '/') and over all.
/// </summary>
public static class RecordScores
{
    public const string AllSources = "all";

    public static List<SourceScore> Score(WindowSet windows, ReadOnlySpan<float> probabilities, double afThreshold)
    {
        ArgumentNullException.ThrowIfNull(windows);
        int classes = RhythmClasses.Count;
        var (rows, masks, known, units) = RecordLevel.Fold(probabilities, windows);
        var windowsPerSource = Enumerable.Range(0, windows.Count).GroupBy(i => SourceOf(windows.RecordId(i))).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<SourceScore>();
        int af = (int)RhythmClass.AF;
        foreach (var source in windowsPerSource.Keys.Order(StringComparer.Ordinal).Append(AllSources))
        {
            var chosen = Enumerable.Range(0, units.Length).Where(r => source == AllSources || SourceOf(units[r]) == source).ToArray();
            var p = new float[chosen.Length * classes];
            var m = new int[chosen.Length];
            var k = new int[chosen.Length];
            for (int j = 0; j < chosen.Length; j++)
            {
                rows.AsSpan(chosen[j] * classes, classes).CopyTo(p.AsSpan(j * classes, classes));
                m[j] = masks[chosen[j]];
                k[j] = known[chosen[j]];
            }
            var (perClass, macro) = Auroc.MultiLabel(p, m, classes, k);
            int records = chosen.Select(r => RecordOf(units[r])).Distinct(StringComparer.Ordinal).Count();
            int windowCount = source == AllSources ? windows.Count : windowsPerSource[source];
            result.Add(new SourceScore(source, records, windowCount, chosen.Length, m.Count(x => (x & (1 << af)) != 0), macro, perClass[af],
                Auroc.F1(p, m, classes, af, afThreshold, k), perClass));
        }
        return result;
    }

    public static string SourceOf(string recordId)
    {
        int slash = recordId.IndexOf('/');
        return slash > 0 ? recordId[..slash] : recordId;
    }

    /// <summary>The record a row of <see cref="RecordLevel.Fold"/> belongs to (a window row is "record#index").</summary>
    public static string RecordOf(string unit)
    {
        int hash = unit.IndexOf('#');
        return hash > 0 ? unit[..hash] : unit;
    }
}
