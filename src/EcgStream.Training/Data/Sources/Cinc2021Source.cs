using EcgStream.Core.Rhythms;

namespace EcgStream.Training.Data.Sources;

/// <summary>
/// PhysioNet/CinC 2021 (.hea/.mat, SNOMED CT codes in the header's "# Dx:" line). Rhythm codes are
/// mapped onto class set v1 (docs/labels.md); other codes (morphology, axis, …) are ignored. A
/// record with no mappable rhythm code is skipped as "unmappable label".
/// </summary>
public static class Cinc2021Source
{
    public const string Name = "cinc2021";

    public static IReadOnlyDictionary<string, RhythmClass> Mapping { get; } = new Dictionary<string, RhythmClass>(StringComparer.Ordinal)
    {
        ["426783006"] = RhythmClass.SR,      // sinus rhythm
        ["427393009"] = RhythmClass.SR,      // sinus arrhythmia
        ["164889003"] = RhythmClass.AF,      // atrial fibrillation
        ["164890007"] = RhythmClass.AFL,     // atrial flutter
        ["427084000"] = RhythmClass.STACH,   // sinus tachycardia
        ["426177001"] = RhythmClass.SBRAD,   // sinus bradycardia
        ["426761007"] = RhythmClass.SVT,     // supraventricular tachycardia
        ["67198005"] = RhythmClass.SVT,      // paroxysmal supraventricular tachycardia
        ["164895002"] = RhythmClass.VT,      // ventricular tachycardia
        ["164896001"] = RhythmClass.VF,      // ventricular fibrillation
        ["10370003"] = RhythmClass.PACE,     // pacing rhythm
        ["11157007"] = RhythmClass.VECT,     // ventricular bigeminy
        ["251180001"] = RhythmClass.VECT,    // ventricular trigeminy
    };

    public static List<RecordEntry> List(string folder, DatasetReport report)
    {
        if (!Directory.Exists(folder)) { report.Skip("missing folder", $"{Name}: {folder} not found"); return []; }
        var entries = new List<RecordEntry>();
        foreach (var header in Directory.EnumerateFiles(folder, "*.hea").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(header);
            var recordId = $"{Name}/{name}";
            Core.Files.RegularFiles.Require(header);
            var dx = File.ReadLines(header).FirstOrDefault(l => l.StartsWith("# Dx:", StringComparison.Ordinal) || l.StartsWith("#Dx:", StringComparison.Ordinal));
            if (dx is null) { report.Skip("unmappable label", $"{recordId}: header has no '# Dx:' line"); continue; }
            int mask = 0;
            var codes = dx[(dx.IndexOf(':') + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (var code in codes)
                if (Mapping.TryGetValue(code, out var c)) mask |= 1 << (int)c;
            if (mask == 0) { report.Skip("unmappable label", $"{recordId}: Dx codes [{string.Join(", ", codes)}] hold no rhythm of class set v1"); continue; }
            entries.Add(new RecordEntry(Name, recordId, recordId, header, mask));
        }
        return entries;
    }
}
