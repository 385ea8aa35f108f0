using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Cli.Commands.Benchmark;

/// <summary>The benchmark's datasets (folders under the data root) and what each measures.</summary>
public static class BenchmarkDatasets
{
    public const string Cinc2017 = Physionet2017Source.Name;
    public static IReadOnlyList<string> TwelveLead { get; } = [Cinc2021Source.Name, PtbXlSource.Name];
    public static IReadOnlyList<string> Annotated { get; } = [AnnotatedWfdbSource.MitBih, AnnotatedWfdbSource.Cpsc2021];
    public static IReadOnlyList<string> All { get; } = [Cinc2017, .. TwelveLead, .. Annotated];
}

/// <summary>
/// Lists the labelled records of a data root and keeps those of the chosen split. Record ids and patients are the
/// training toolchain's (<see cref="RealDatasets"/>), so a split file written by training (<c>splits.json</c>)
/// selects exactly the patients a model never saw. A record the split file does not name (e.g. PhysioNet 2017's
/// "O" records in a file written before training used them) is assigned by the file's own rule (seed and fractions,
/// by patient), as training assigns it. A record whose identical recording is in an earlier split is left out
/// (<see cref="DatasetSplits.LeftOutBecause"/>), as training leaves it out; without a split, every recording counts once.
/// </summary>
public static class BenchmarkRecords
{
    /// <param name="split">null: every record.</param>
    /// <param name="challengeLabels">PhysioNet 2017 with its four challenge labels (the benchmark); false: with training's class masks.</param>
    public static List<RecordEntry> List(string dataRoot, string dataset, DatasetSplits? splits, Split? split, Action<string> warn, bool challengeLabels = true)
    {
        // Records whose labels name nothing the class set scores are many in some datasets (PTB-XL without a rhythm
        // statement): one line says how many were left out, with the first, instead of a line each.
        var report = new DatasetReport(w => { if (!w.Contains("(unmappable label)", StringComparison.Ordinal)) warn(w); });
        var entries = dataset == BenchmarkDatasets.Cinc2017 && challengeLabels
            ? ListCinc2017(Path.Combine(dataRoot, dataset), report)
            : RealDatasets.List(dataRoot, report, [dataset]);
        if (report.SkipCount("unmappable label") is > 0 and var unmapped)
            warn($"{dataset}: {unmapped} record{(unmapped == 1 ? "" : "s")} of the dataset (any split) left out, no label the class set scores (the first: {report.FirstSkipped("unmappable label")})");
        // A recording stored twice (RecordTwins) is scored once, and not at all when its twin was trained on.
        var twins = RecordTwins.Find(entries);
        if (splits is null || split is null)
        {
            var repeats = twins.SelectMany(g => g.Skip(1).Select(id => (id, first: g[0]))).ToDictionary(x => x.id, x => x.first, StringComparer.Ordinal);
            foreach (var (id, first) in repeats.OrderBy(x => x.Key, StringComparer.Ordinal)) warn($"{id}: left out: identical to {first}");
            return [.. entries.Where(e => !repeats.ContainsKey(e.RecordId))];
        }
        splits.UseTwins(twins);
        foreach (var e in entries) splits.Assign(e);   // every twin placed before any is judged
        var chosen = new List<RecordEntry>();
        foreach (var e in entries)
        {
            if (splits.Of(e.RecordId) != split) continue;
            if (splits.LeftOutBecause(e.RecordId) is { } reason) { warn($"{e.RecordId}: left out of the {split} split: {reason}"); continue; }
            chosen.Add(e);
        }
        return chosen;
    }

    /// <summary>
    /// PhysioNet 2017 with all four labels as the challenge scores them (training's source maps them to class masks
    /// instead, "O" as known negatives). The record's mask carries the label's index: <see cref="Cinc2017Label"/> reads it back.
    /// </summary>
    private static List<RecordEntry> ListCinc2017(string folder, DatasetReport report)
    {
        var reference = Path.Combine(folder, "REFERENCE.csv");
        if (!File.Exists(reference)) { report.Skip("missing folder", $"{BenchmarkDatasets.Cinc2017}: {reference} not found"); return []; }
        var entries = new List<RecordEntry>();
        foreach (var row in Physionet2017Source.ReadReference(reference))
        {
            if (row.Record is null || row.Label is not [var label] || !Cinc2017Score.Labels.Contains(label))
            {
                report.Skip("corrupt label row", $"{row.Problem ?? $"{reference} line {row.Line}: '{row.Record},{row.Label}'"} (expected RECORD,N|A|O|~)");
                continue;
            }
            var id = $"{BenchmarkDatasets.Cinc2017}/{row.Record}";
            entries.Add(new RecordEntry(BenchmarkDatasets.Cinc2017, id, id, Path.Combine(folder, row.Record), Cinc2017Score.Index(label), [Core.Leads.Lead.I]));
        }
        return entries;
    }

    /// <summary>The CinC 2017 label of an entry from <see cref="List"/> on that dataset.</summary>
    public static char Cinc2017Label(RecordEntry entry) => Cinc2017Score.Labels[entry.RecordMask!.Value];

    /// <summary>The class-set-v1 classes of a mask.</summary>
    public static List<RhythmClass> Classes(int mask) =>
        Enumerable.Range(0, RhythmClasses.Count).Where(c => (mask & (1 << c)) != 0).Select(c => (RhythmClass)c).ToList();
}
