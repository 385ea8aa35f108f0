namespace EcgStream.Formats;

/// <summary>
/// One channel of a <see cref="Recording"/>, with WFDB's field names and meaning. Physical value
/// = (digital − <see cref="Baseline"/>) / <see cref="AdcGain"/>, in <see cref="Units"/>;
/// <see cref="Recording.Samples"/> hold that value converted to millivolts where the units are a
/// voltage (see <see cref="MillivoltsPerUnit"/>).
/// </summary>
public sealed record SignalInfo
{
    /// <summary>Signal name (WFDB description, EDF label), e.g. "MLII", "V1", "I".</summary>
    public required string Name { get; init; }
    /// <summary>Physical units as written in the source ("mV", "uV", "mmHg"…).</summary>
    public string Units { get; init; } = "mV";
    /// <summary>ADC units per physical unit. Never 0, NaN or infinite.</summary>
    public double AdcGain { get; init; } = 200;
    /// <summary>Digital value that corresponds to 0 physical units. Integer in WFDB; may be fractional for EDF.</summary>
    public double Baseline { get; init; }
    /// <summary>ADC zero (digital value at the middle of the ADC's range).</summary>
    public int AdcZero { get; init; }
    /// <summary>ADC resolution in bits.</summary>
    public int AdcResolution { get; init; } = 16;
    /// <summary>Storage format code (WFDB signal format; EDF data are 16, as WFDB format 16).</summary>
    public int Format { get; init; } = 16;
    /// <summary>First digital sample of the whole signal, as the header states it.</summary>
    public int InitialValue { get; init; }
    /// <summary>16-bit checksum of the whole signal as the header states it (null where the source has none).</summary>
    public short? Checksum { get; init; }
    /// <summary>WFDB block size (0: not block-structured).</summary>
    public int BlockSize { get; init; }

    /// <summary>
    /// Factor from <see cref="Units"/> to millivolts: 1 for mV, 0.001 for uV/µV, 1000 for V, and 1
    /// for any non-voltage unit (whose values are then kept in their own units).
    /// </summary>
    public double MillivoltsPerUnit => UnitScale.MillivoltsPer(Units);

    /// <summary>True when <see cref="Units"/> is a voltage, so that the channel's samples are in mV.</summary>
    public bool IsVoltage => UnitScale.IsVoltage(Units);
}
