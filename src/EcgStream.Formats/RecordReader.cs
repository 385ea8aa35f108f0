using EcgStream.Formats.Edf;
using EcgStream.Formats.Mat;

namespace EcgStream.Formats;

/// <summary>
/// Opens any recording the project reads, by its path: a WFDB record (no extension, .hea or .dat),
/// a PhysioNet .mat (through the .hea beside it), or an EDF/EDF+C file (.edf).
/// </summary>
public static class RecordReader
{
    /// <summary>
    /// Reads the whole recording. For WFDB records, the reference annotations (RECORD.atr) are
    /// attached when that file exists; when it cannot be read the recording comes without them and says so in
    /// <see cref="Recording.Warnings"/> (the signal is what a caller of this method reads; `evaluate` and `benchmark` read
    /// the annotations themselves and refuse a bad file).
    /// </summary>
    public static Recording Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return RecordFiles.Guard(path, () => ReadUnguarded(path));
    }

    private static Recording ReadUnguarded(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".edf") return EdfReader.Read(path);
        // not a WFDB record: without this, "x.csv" was looked up as the WFDB header "x.csv.hea" ("not found")
        if (ext is ".csv" or ".txt" or ".tsv")
            throw new EcgFormatException(path, "CSV/text recordings are not read; convert it to a WFDB record or EDF (e.g. with wfdb-python's wrsamp)");
        if (ext == ".mat")
        {
            string hea = Path.ChangeExtension(path, ".hea");
            if (!File.Exists(hea))
                throw new EcgFormatException(path,
                    $"no WFDB header '{hea}' beside the .mat file, so its sampling rate and gains are unknown; use {nameof(MatV4)}.{nameof(MatV4.ReadRecording)} with the rate");
        }
        var record = Wfdb.Wfdb.ReadRecord(path);
        string atr = Wfdb.Wfdb.RecordBase(path) + ".atr";
        if (!File.Exists(atr)) return record;
        IReadOnlyList<Wfdb.Annotation> annotations = [];
        var warnings = record.Warnings;
        try { annotations = Wfdb.Wfdb.ReadAnnotations(path); }
        catch (EcgFormatException e) { warnings = [.. warnings, $"{e.Message} (its annotations are left out)"]; }
        return new Recording
        {
            Name = record.Name,
            SampleRate = record.SampleRate,
            Signals = record.Signals,
            Samples = record.Samples,
            Comments = record.Comments,
            Warnings = warnings,
            Annotations = annotations,
        };
    }
}
