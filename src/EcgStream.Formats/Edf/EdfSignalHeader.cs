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
