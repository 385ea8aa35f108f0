using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;

namespace EcgStream.Training.Data.Sources;

/// <summary>
/// PhysioNet/CinC 2017 (REFERENCE.csv, single lead ≈ lead I, 300 Hz), with per-class known masks
/// (docs/labels.md): N → SR (and known not AF, AFL, SVT, VT, VF, PACE, VECT, NOISE; rate classes unknown);
/// A → AF (known not SR, AFL, sinus rate classes, SVT, VT, VF, NOISE); O ("other rhythm": ectopy, blocks, …) →
/// no positive, known not AF, not SR (normal sinus rhythm), not NOISE — the hard negatives; ~ → NOISE, the rhythm
/// unknown. Patients are unknown: each record is its own patient for splitting.
/// </summary>
public static class Physionet2017Source
{
    public const string Name = "physionet2017";

    private static int Bits(params RhythmClass[] classes) => classes.Aggregate(0, (m, c) => m | 1 << (int)c);

    /// <summary>The (positive, known) class masks of a 2017 label; null for a label the challenge does not define.</summary>
    public static (int Positive, int Known)? LabelOf(string label) => label switch
    {
        "N" => (Bits(RhythmClass.SR), Data.WindowSet.AllKnown & ~Bits(RhythmClass.STACH, RhythmClass.SBRAD)),
        "A" => (Bits(RhythmClass.AF), Bits(RhythmClass.SR, RhythmClass.AF, RhythmClass.AFL, RhythmClass.STACH, RhythmClass.SBRAD,
                                           RhythmClass.SVT, RhythmClass.VT, RhythmClass.VF, RhythmClass.NOISE)),
        "O" => (0, Bits(RhythmClass.SR, RhythmClass.AF, RhythmClass.NOISE)),
        "~" => (Bits(RhythmClass.NOISE), Bits(RhythmClass.NOISE)),
        _ => null,
    };

    public static List<RecordEntry> List(string folder, DatasetReport report)
    {
        var reference = Path.Combine(folder, "REFERENCE.csv");
        if (!File.Exists(reference)) { report.Skip("missing folder", $"{Name}: {reference} not found"); return []; }
        Core.Files.RegularFiles.Require(reference);
        var entries = new List<RecordEntry>();
        int line = 0;
        foreach (var text in File.ReadLines(reference))
        {
            line++;
            var f = text.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length != 2) { report.Skip("corrupt label row", $"{reference} line {line}: '{text}'"); continue; }
            if (line == 1 && !f[0].StartsWith('A')) continue;   // a header row
            var recordId = $"{Name}/{f[0]}";
            if (LabelOf(f[1]) is not var (positive, known)) { report.Skip("unmappable label", $"{recordId}: label '{f[1]}' is not N, A, O or ~"); continue; }
            entries.Add(new RecordEntry(Name, recordId, recordId, Path.Combine(folder, f[0] + ".hea"), positive, [Lead.I], known));
        }
        return entries;
    }
}
