namespace EcgStream.Formats.Edf;

/// <summary>The fixed part of an EDF/EDF+ header.</summary>
public sealed record EdfHeader
{
    public const string AnnotationLabel = "EDF Annotations";

    public required string Path { get; init; }
    public string PatientId { get; init; } = "";
    public string RecordingId { get; init; } = "";
    /// <summary>Start of the recording (the header's dd.mm.yy hh.mm.ss; years 85–99 are 19xx).</summary>
    public DateTime? Start { get; init; }
    public required int HeaderBytes { get; init; }
    /// <summary>"", "EDF+C" (continuous) or "EDF+D" (discontinuous).</summary>
    public string Reserved { get; init; } = "";
    public required long DataRecords { get; init; }
    /// <summary>Seconds per data record.</summary>
    public required double RecordDuration { get; init; }
    public required IReadOnlyList<EdfSignalHeader> Signals { get; init; }

    public bool IsEdfPlus => Reserved.StartsWith("EDF+", StringComparison.Ordinal);

    /// <summary>Bytes of one data record (every signal's samples, 2 bytes each).</summary>
    public long RecordBytes
    {
        get
        {
            long n = 0;
            foreach (var s in Signals) n += 2L * s.SamplesPerRecord;
            return n;
        }
    }
}
