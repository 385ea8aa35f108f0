namespace EcgStream.Formats.Wfdb;

/// <summary>
/// One signal line of a WFDB header (header.5), with the defaults WFDB applies to absent fields
/// already filled in. Field names follow WFDB.
/// </summary>
public sealed record WfdbSignalSpec
{
    /// <summary>Signal file name, relative to the header's directory ("100.dat", "A00001.mat").</summary>
    public required string FileName { get; init; }
    /// <summary>Storage format code (16, 212, 24, 80, …).</summary>
    public required int Format { get; init; }
    /// <summary>Samples of this signal per frame (the "x" suffix of the format field); 1 unless given.</summary>
    public int SamplesPerFrame { get; init; } = 1;
    /// <summary>Skew in frames (the ":" suffix): the signal's sample t is stored in frame t + skew.</summary>
    public int Skew { get; init; }
    /// <summary>Bytes to skip at the start of the signal file (the "+" suffix; 24 for PhysioNet .mat).</summary>
    public long ByteOffset { get; init; }
    /// <summary>ADC units per physical unit; WFDB's 200 when absent or written as 0 ("uncalibrated").</summary>
    public double AdcGain { get; init; } = Wfdb.DefaultGain;
    /// <summary>True when the header gave a non-zero gain (a calibrated signal).</summary>
    public bool IsCalibrated { get; init; }
    /// <summary>Digital value of 0 physical units; ADC zero when absent.</summary>
    public int Baseline { get; init; }
    /// <summary>Physical units; "mV" when absent.</summary>
    public string Units { get; init; } = "mV";
    /// <summary>ADC resolution in bits (format's natural width when absent).</summary>
    public int AdcResolution { get; init; }
    /// <summary>ADC zero.</summary>
    public int AdcZero { get; init; }
    /// <summary>Value of the first sample (ADC zero when absent); the start of format 8's differences.</summary>
    public int InitialValue { get; init; }
    /// <summary>16-bit checksum of all samples of the signal, or null when the header omits it.</summary>
    public short? Checksum { get; init; }
    /// <summary>Block size in bytes (0: not block-structured).</summary>
    public int BlockSize { get; init; }
    /// <summary>Signal description (its name): "MLII", "V1", "I".</summary>
    public required string Description { get; init; }

    /// <summary>The format field as WFDB writes it: "212", "16x2", "16+24", "16x1:3+24".</summary>
    public string FormatField =>
        Format.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + (SamplesPerFrame != 1 || HasExplicitFrame ? $"x{SamplesPerFrame}" : "")
        + (Skew != 0 ? $":{Skew}" : "")
        + (ByteOffset != 0 ? $"+{ByteOffset}" : "");

    /// <summary>True when the header wrote "x1" explicitly (kept so that a header rewrites as it was read).</summary>
    public bool HasExplicitFrame { get; init; }
}
