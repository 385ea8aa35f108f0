using EcgStream.Core.Rhythms;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Training.Data.Sources;

/// <summary>
/// PhysioNet/CinC 2021 (.hea/.mat, SNOMED CT codes in the header's "# Dx:" line). Rhythm codes are
/// mapped onto class set v1 (docs/labels.md); other codes (morphology, axis, …) are ignored. A
/// record with no mappable rhythm code is skipped as "unmappable label". Headers are found in subfolders too, as the
/// challenge nests them (training/&lt;source&gt;/g1/); a second header of a record name already listed is skipped.
/// </summary>
public static class Cinc2021Source
{
    public const string Name = "cinc2021";

    /// <summary>SNOMED CT rhythm codes and the classes each names (one code, atrial fibrillation and flutter, names two).</summary>
    public static IReadOnlyDictionary<string, RhythmClass[]> Mapping { get; } = new Dictionary<string, RhythmClass[]>(StringComparer.Ordinal)
    {
        ["426783006"] = [RhythmClass.SR],                  // sinus rhythm
        ["427393009"] = [RhythmClass.SR],                  // sinus arrhythmia
        ["164889003"] = [RhythmClass.AF],                  // atrial fibrillation
        ["164890007"] = [RhythmClass.AFL],                 // atrial flutter
        ["427084000"] = [RhythmClass.STACH],               // sinus tachycardia
        ["426177001"] = [RhythmClass.SBRAD],               // sinus bradycardia
        ["426761007"] = [RhythmClass.SVT],                 // supraventricular tachycardia
        ["67198005"] = [RhythmClass.SVT],                  // paroxysmal supraventricular tachycardia
        ["164895002"] = [RhythmClass.VT],                  // ventricular tachycardia
        ["164896001"] = [RhythmClass.VF],                  // ventricular fibrillation
        ["10370003"] = [RhythmClass.PACE],                 // pacing rhythm
        ["11157007"] = [RhythmClass.VECT],                 // ventricular bigeminy
        ["251180001"] = [RhythmClass.VECT],                // ventricular trigeminy
        ["425856008"] = [RhythmClass.VT],                  // paroxysmal ventricular tachycardia
        ["111288001"] = [RhythmClass.VF],                  // ventricular flutter (MIT-BIH's (VFL counts as VF, docs/labels.md)
        ["195080001"] = [RhythmClass.AF, RhythmClass.AFL], // atrial fibrillation and flutter
    };

    public static List<RecordEntry> List(string folder, DatasetReport report)
    {
        if (!Directory.Exists(folder)) { report.Skip("missing folder", $"{Name}: {folder} not found"); return []; }
        var entries = new List<RecordEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        // The challenge's own distribution nests its headers (training/<source>/g1/E00001.hea): look in subfolders too.
        var headers = Headers(folder).OrderBy(h => Path.GetFileName(h), StringComparer.Ordinal).ThenBy(h => h, StringComparer.Ordinal);
        foreach (var header in headers)
        {
            var name = Path.GetFileNameWithoutExtension(header);
            var recordId = $"{Name}/{name}";
            if (seen.TryGetValue(recordId, out var first)) { report.Skip("duplicate record name", $"{recordId}: {header} has the name of {first}"); continue; }
            seen[recordId] = header;
            Core.Files.RegularFiles.Require(header);
            var codes = DxCodes(header);
            if (codes is null) { report.Skip("unmappable label", $"{recordId}: header has no '# Dx:' line"); continue; }
            int mask = 0;
            foreach (var code in codes)
            {
                if (Mapping.TryGetValue(code, out var classes))
                    foreach (var c in classes) mask |= 1 << (int)c;
            }
            if (mask == 0) { report.Skip("unmappable label", $"{recordId}: Dx codes [{string.Join(", ", codes)}] hold no rhythm of class set v1"); continue; }
            entries.Add(new RecordEntry(Name, recordId, recordId, header, mask));
        }
        return entries;
    }

    /// <summary>
    /// Every *.hea under <paramref name="folder"/>, subfolders included, without following linked folders (a link back up,
    /// as in a data root linked into itself, would list the tree again and again) and without passing over a folder it
    /// cannot read (an UnauthorizedAccessException, which the caller reports in one line, as the flat listing did).
    /// </summary>
    private static IEnumerable<string> Headers(string folder) =>
        new System.IO.Enumeration.FileSystemEnumerable<string>(folder, (ref System.IO.Enumeration.FileSystemEntry e) => e.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry e) => !e.IsDirectory && e.FileName.EndsWith(".hea", StringComparison.Ordinal),
            ShouldRecursePredicate = (ref System.IO.Enumeration.FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };

    /// <summary>The codes of the header's Dx comment, read as <c>WfdbHeader.Comment("Dx")</c> reads it; null when there is none.</summary>
    public static string[]? DxCodes(string header)
    {
        foreach (var raw in File.ReadLines(header))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] != '#') continue;
            if (WfdbHeader.CommentValue(line[1..], "Dx") is { } dx)
                return dx.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }
        return null;
    }
}
