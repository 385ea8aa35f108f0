namespace EcgStream.Formats.Edf;

/// <summary>One signal of an EDF header, fields as the specification names them.</summary>
public sealed record EdfSignalHeader
{
    public required string Label { get; init; }
    public string TransducerType { get; init; } = "";
    public string PhysicalDimension { get; init; } = "";
    public required double PhysicalMinimum { get; init; }
    public required double PhysicalMaximum { get; init; }
    public required int DigitalMinimum { get; init; }
    public required int DigitalMaximum { get; init; }
    public string Prefiltering { get; init; } = "";
    /// <summary>Samples of this signal in each data record.</summary>
    public required int SamplesPerRecord { get; init; }

    /// <summary>True for the EDF+ annotation signal ("EDF Annotations").</summary>
    public bool IsAnnotation => Label == EdfHeader.AnnotationLabel;

    /// <summary>Digital units per physical unit.</summary>
    public double Gain => (DigitalMaximum - DigitalMinimum) / (PhysicalMaximum - PhysicalMinimum);

    /// <summary>Digital value of physical 0 (may be fractional).</summary>
    public double Baseline => DigitalMinimum - PhysicalMinimum * Gain;
}

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

/// <summary>An EDF+ annotation: a time-stamped annotation list entry (onset and duration in seconds from the start).</summary>
public readonly record struct EdfAnnotation(double Onset, double? Duration, string Text);
