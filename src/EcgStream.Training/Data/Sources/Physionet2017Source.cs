using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;

namespace EcgStream.Training.Data.Sources;

/// <summary>
/// PhysioNet/CinC 2017 (REFERENCE.csv, single lead ≈ lead I, 300 Hz): N → SR, A → AF, ~ → NOISE.
/// "O" (other rhythm) names no class of ours, so it is skipped as "unmappable label".
/// Patients are unknown: each record is its own patient for splitting.
/// </summary>
public static class Physionet2017Source
{
    public const string Name = "physionet2017";

    public static List<RecordEntry> List(string folder, DatasetReport report)
    {
        var reference = Path.Combine(folder, "REFERENCE.csv");
        if (!File.Exists(reference)) { report.Skip("missing folder", $"{Name}: {reference} not found"); return []; }
        var entries = new List<RecordEntry>();
        int line = 0;
        foreach (var text in File.ReadLines(reference))
        {
            line++;
            var f = text.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length != 2) { report.Skip("corrupt label row", $"{reference} line {line}: '{text}'"); continue; }
            if (line == 1 && !f[0].StartsWith('A')) continue;   // a header row
            RhythmClass? c = f[1] switch { "N" => RhythmClass.SR, "A" => RhythmClass.AF, "~" => RhythmClass.NOISE, _ => null };
            var recordId = $"{Name}/{f[0]}";
            if (c is null) { report.Skip("unmappable label", $"{recordId}: label '{f[1]}' maps to no class"); continue; }
            entries.Add(new RecordEntry(Name, recordId, recordId, Path.Combine(folder, f[0] + ".hea"), 1 << (int)c.Value, [Lead.I]));
        }
        return entries;
    }
}
