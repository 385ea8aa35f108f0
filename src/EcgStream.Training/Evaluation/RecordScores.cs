using EcgStream.Signal.Windowing;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;

namespace EcgStream.Training.Evaluation;

/// <summary>Record-level scores of one source (or "all"): macro AUROC over the classes with positives and negatives, AF AUROC and F1.</summary>
public sealed record SourceScore(string Source, int Records, int Windows, int AfRecords, double MacroAuroc, double AfAuroc, double AfF1, double[] PerClassAuroc);

/// <summary>
/// Record-level evaluation as `ecgstream classify` reports it: a record's probability of a class is the
/// median over its windows, its truth the union of its windows' labels (one label set per record for
/// PTB-XL, PhysioNet 2017 and CinC 2021; MIT-BIH and CPSC 2021 records with episodes count as positive
/// for every rhythm they contain). Scored per source (the part of the record id before '/') and over all.
/// </summary>
public static class RecordScores
{
    public const string AllSources = "all";

    public static List<SourceScore> Score(WindowSet windows, ReadOnlySpan<float> probabilities, double afThreshold)
    {
        ArgumentNullException.ThrowIfNull(windows);
        int classes = RhythmClasses.Count;
        if (probabilities.Length != windows.Count * classes) throw new ArgumentException($"{probabilities.Length} probabilities for {windows.Count} windows × {classes} classes");
        var byRecord = Enumerable.Range(0, windows.Count).GroupBy(windows.RecordId).ToList();
        var recordProbabilities = new float[byRecord.Count * classes];
        var recordMasks = new int[byRecord.Count];
        for (int r = 0; r < byRecord.Count; r++)
        {
            var perWindow = new List<float[]>();
            foreach (var i in byRecord[r])
            {
                recordMasks[r] |= windows.ClassMask(i);
                perWindow.Add(probabilities.Slice(i * classes, classes).ToArray());
            }
            // The record's probability as classify reads it (one implementation: RecordWindows.FoldMedian).
            RecordWindows.FoldMedian(perWindow).CopyTo(recordProbabilities.AsSpan(r * classes, classes));
        }
        var sources = byRecord.Select((g, r) => (Source: SourceOf(g.Key), Record: r, Windows: g.Count())).ToList();
        var result = new List<SourceScore>();
        foreach (var source in sources.Select(s => s.Source).Distinct().Order(StringComparer.Ordinal).Append(AllSources))
        {
            var rows = sources.Where(s => source == AllSources || s.Source == source).ToList();
            var p = new float[rows.Count * classes];
            var m = new int[rows.Count];
            for (int k = 0; k < rows.Count; k++)
            {
                recordProbabilities.AsSpan(rows[k].Record * classes, classes).CopyTo(p.AsSpan(k * classes, classes));
                m[k] = recordMasks[rows[k].Record];
            }
            var (perClass, macro) = Auroc.MultiLabel(p, m, classes);
            int af = (int)RhythmClass.AF;
            result.Add(new SourceScore(source, rows.Count, rows.Sum(r => r.Windows), m.Count(x => (x & (1 << af)) != 0), macro, perClass[af],
                Auroc.F1(p, m, classes, af, afThreshold), perClass));
        }
        return result;
    }

    public static string SourceOf(string recordId)
    {
        int slash = recordId.IndexOf('/');
        return slash > 0 ? recordId[..slash] : recordId;
    }
}
