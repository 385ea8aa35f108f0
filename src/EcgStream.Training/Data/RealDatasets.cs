using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Data;

/// <summary>The real record sources under a data root (../shared/data), by folder name.</summary>
public static class RealDatasets
{
    public static IReadOnlyList<string> Sources { get; } =
        [PtbXlSource.Name, Physionet2017Source.Name, Cinc2021Source.Name, AnnotatedWfdbSource.Cpsc2021, AnnotatedWfdbSource.MitBih];

    /// <summary>Lists the labelled records of <paramref name="sources"/> (all when null); a missing folder is a counted skip.</summary>
    public static List<RecordEntry> List(string dataRoot, DatasetReport report, IEnumerable<string>? sources = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var entries = new List<RecordEntry>();
        var chosen = (sources ?? Sources).ToList();
        foreach (var source in chosen)
            if (!Sources.Contains(source)) throw new ArgumentException($"unknown source '{source}'; known: {string.Join(", ", Sources)}", nameof(sources));
        foreach (var source in chosen)
        {
            var folder = Path.Combine(dataRoot, source);
            if (!Directory.Exists(folder)) { report.Skip("missing folder", $"{source}: {folder} not found"); continue; }
            entries.AddRange(source switch
            {
                PtbXlSource.Name => PtbXlSource.List(folder, report),
                Physionet2017Source.Name => Physionet2017Source.List(folder, report),
                Cinc2021Source.Name => Cinc2021Source.List(folder, report),
                AnnotatedWfdbSource.Cpsc2021 or AnnotatedWfdbSource.MitBih => AnnotatedWfdbSource.List(folder, source, report),
                _ => throw new ArgumentException($"unknown source '{source}'; known: {string.Join(", ", Sources)}", nameof(sources)),
            });
        }
        return entries;
    }

    /// <summary>
    /// Windows of every listed record, with each record's split assigned (and <paramref name="splits"/> updated). Identical
    /// recordings under two ids (<see cref="RecordTwins"/>) are made known to the splits first; a copy a held-out split
    /// leaves out (<see cref="DatasetSplits.LeftOut"/>) is reported.
    /// </summary>
    public static WindowSet Build(IEnumerable<RecordEntry> entries, DatasetSplits splits, DatasetReport report, WindowingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(report);
        var list = entries as IReadOnlyCollection<RecordEntry> ?? [.. entries];
        splits.UseTwins(RecordTwins.Find(list));
        var set = new WindowSet();
        foreach (var entry in list)
        {
            splits.Assign(entry);
            RecordWindower.AddWindows(entry, set, report, options);
        }
        foreach (var (record, split, reason) in splits.LeftOut())
            report.Warn($"{record}: left out of the {split} split: {reason}");
        return set;
    }
}
