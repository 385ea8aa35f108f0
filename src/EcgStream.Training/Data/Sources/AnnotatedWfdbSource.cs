namespace EcgStream.Training.Data.Sources;

/// <summary>
/// WFDB records whose rhythm annotations (.atr aux strings) label episodes within the record:
/// CPSC 2021 (patient = the number in data_PP_R) and MIT-BIH (one patient per record, except that
/// 201 and 202 are the same patient). Labels come from <see cref="EcgStream.Formats.Labels.RhythmLabels"/>.
/// </summary>
public static class AnnotatedWfdbSource
{
    public const string Cpsc2021 = "cpsc2021";
    public const string MitBih = "mitdb";

    public static List<RecordEntry> List(string folder, string source, DatasetReport report)
    {
        if (!Directory.Exists(folder)) { report.Skip("missing folder", $"{source}: {folder} not found"); return []; }
        var entries = new List<RecordEntry>();
        foreach (var header in Directory.EnumerateFiles(folder, "*.hea").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(header);
            var recordId = $"{source}/{name}";
            if (!File.Exists(Path.ChangeExtension(header, ".atr"))) { report.Skip("unmappable label", $"{recordId}: no .atr rhythm annotations"); continue; }
            entries.Add(new RecordEntry(source, recordId, $"{source}/patient-{PatientOf(source, name)}", Path.ChangeExtension(header, null), null));
        }
        return entries;
    }

    private static string PatientOf(string source, string record)
    {
        if (source == Cpsc2021)
        {
            var parts = record.Split('_');
            return parts.Length == 3 ? parts[1] : record;
        }
        return record == "202" ? "201" : record;
    }
}
