using System.Text.RegularExpressions;
using EcgStream.Core.Rhythms;

namespace EcgStream.Training.Data.Sources;

/// <summary>
/// PTB-XL (ptbxl_database.csv + records500): each record's rhythm statements (those with
/// rhythm = 1 in scp_statements.csv, plus the ectopy statements BIGU/TRIGU) mapped onto class set
/// v1 (docs/labels.md). A statement's likelihood is ignored: PTB-XL gives rhythm statements 0.
/// Records whose rhythm statements are all outside the mapping are kept as hard negatives (not AF, not flutter,
/// the rest unknown); records with no rhythm statement at all are skipped as "unmappable label".
/// </summary>
public static partial class PtbXlSource
{
    public const string Name = "ptbxl";

    /// <summary>Our mapping of PTB-XL statements; statements outside it (e.g. SVARR) carry no class.</summary>
    public static IReadOnlyDictionary<string, RhythmClass> Mapping { get; } = new Dictionary<string, RhythmClass>(StringComparer.Ordinal)
    {
        ["SR"] = RhythmClass.SR, ["SARRH"] = RhythmClass.SR,
        ["AFIB"] = RhythmClass.AF, ["AFLT"] = RhythmClass.AFL,
        ["STACH"] = RhythmClass.STACH, ["SBRAD"] = RhythmClass.SBRAD,
        ["SVTAC"] = RhythmClass.SVT, ["PSVT"] = RhythmClass.SVT,
        ["PACE"] = RhythmClass.PACE,
        ["BIGU"] = RhythmClass.VECT, ["TRIGU"] = RhythmClass.VECT,
    };

    /// <summary>What a rhythm outside the class set rules out: AF and atrial flutter (the rest stays unknown).</summary>
    public const int OtherRhythmKnown = 1 << (int)RhythmClass.AF | 1 << (int)RhythmClass.AFL;

    [GeneratedRegex(@"'([A-Za-z0-9_]+)'\s*:")]
    private static partial Regex StatementKey();

    public static List<RecordEntry> List(string folder, DatasetReport report)
    {
        var database = Path.Combine(folder, "ptbxl_database.csv");
        if (!File.Exists(database)) { report.Skip("missing folder", $"{Name}: {database} not found"); return []; }
        Core.Files.RegularFiles.Require(database);
        var lines = File.ReadAllLines(database);
        if (lines.Length == 0) throw new InvalidDataException($"{database}: file is empty; expected a header row (ecg_id,patient_id,…)");
        var header = Csv.SplitLine(lines[0]);
        int id = header.IndexOf("ecg_id"), patient = header.IndexOf("patient_id"), codes = header.IndexOf("scp_codes"), file = header.IndexOf("filename_hr");
        if (id < 0 || patient < 0 || codes < 0 || file < 0)
            throw new InvalidDataException($"{database}: header lacks ecg_id, patient_id, scp_codes or filename_hr");
        var rhythmStatements = RhythmStatements(Path.Combine(folder, "scp_statements.csv"));
        var entries = new List<RecordEntry>();
        for (int row = 1; row < lines.Length; row++)
        {
            if (lines[row].Length == 0) continue;
            var fields = Csv.SplitLine(lines[row]);
            if (fields.Count != header.Count) { report.Skip("corrupt label row", $"{database} line {row + 1}: {fields.Count} fields, {header.Count} expected"); continue; }
            int mask = 0;
            var unmapped = new List<string>();
            foreach (Match m in StatementKey().Matches(fields[codes]))
            {
                var statement = m.Groups[1].Value;
                if (Mapping.TryGetValue(statement, out var c)) mask |= 1 << (int)c;
                else if (rhythmStatements.Contains(statement)) unmapped.Add(statement);
            }
            var recordId = $"{Name}/{fields[id]}";
            int? known = null;
            if (mask == 0)
            {
                if (unmapped.Count == 0)
                {
                    report.Skip("unmappable label", $"{recordId}: no rhythm statement ({fields[codes]})");
                    continue;
                }
                // A rhythm statement outside our classes (e.g. SVARR) still rules out AF and flutter: a hard negative.
                known = OtherRhythmKnown;
            }
            var patientId = fields[patient].Split('.')[0];
            entries.Add(new RecordEntry(Name, recordId, $"{Name}/patient-{patientId}", Path.Combine(folder, fields[file]), mask, KnownMask: known));
        }
        return entries;
    }

    private static HashSet<string> RhythmStatements(string path)
    {
        var set = new HashSet<string>(Mapping.Keys, StringComparer.Ordinal);
        if (!File.Exists(path)) return set;
        Core.Files.RegularFiles.Require(path);
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new InvalidDataException($"{path}: file is empty; expected a header row with a 'rhythm' column");
        var header = Csv.SplitLine(lines[0]);
        int rhythm = header.IndexOf("rhythm");
        if (rhythm < 0) return set;
        foreach (var line in lines.Skip(1))
        {
            var f = Csv.SplitLine(line);
            if (f.Count > rhythm && f[rhythm].StartsWith('1')) set.Add(f[0]);
        }
        return set;
    }
}
