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
        var entries = new List<RecordEntry>();
        foreach (var row in ReadReference(reference))
        {
            if (row.Record is null) { report.Skip("corrupt label row", row.Problem!); continue; }
            var recordId = $"{Name}/{row.Record}";
            if (LabelOf(row.Label!) is not var (positive, known)) { report.Skip("unmappable label", $"{recordId}: label '{row.Label}' is not N, A, O or ~"); continue; }
            entries.Add(new RecordEntry(Name, recordId, recordId, Path.Combine(folder, row.Record + ".hea"), positive, [Lead.I], known));
        }
        return entries;
    }

    /// <summary>A row of REFERENCE.csv: the record and its label, or (Record null) why the row is corrupt.</summary>
    public readonly record struct ReferenceRow(int Line, string? Record, string? Label, string? Problem);

    /// <summary>
    /// The rows of a REFERENCE.csv (RECORD,LABEL), for training and the benchmark alike; a first row whose record does not
    /// start with A is a header. A row without two fields, or whose record is not a file name in the folder ("", "..", a
    /// path), is corrupt; its problem quotes it, at most 80 characters (a 10 MB line is not echoed whole).
    /// </summary>
    public static IEnumerable<ReferenceRow> ReadReference(string reference)
    {
        Core.Files.RegularFiles.Require(reference);
        int line = 0;
        foreach (var text in File.ReadLines(reference))
        {
            line++;
            var f = text.Split(',', StringSplitOptions.TrimEntries);
            if (line == 1 && f.Length == 2 && !f[0].StartsWith('A')) continue;   // a header row
            if (f.Length != 2 || f[0].Length == 0 || f[0] is "." or ".." || f[0].IndexOfAny(['/', '\\', '\0']) >= 0)
            {
                string shown = text.Length <= 80 ? text : $"{text[..80]}… ({text.Length} characters)";
                yield return new ReferenceRow(line, null, null, $"{reference} line {line}: '{shown}'");
                continue;
            }
            yield return new ReferenceRow(line, f[0], f[1], null);
        }
    }
}
