namespace EcgStream.Formats.Wfdb;

/// <summary>How <see cref="Wfdb.WriteRecord"/> stores a recording.</summary>
public sealed record WfdbWriteOptions
{
    /// <summary>Signal format of the .dat file: 16 (default), 212, 24, 32, 61, 80, 160, 310 or 311.</summary>
    public int Format { get; init; } = 16;

    /// <summary>Record name; the recording's <see cref="Recording.Name"/> when null.</summary>
    public string? RecordName { get; init; }

    /// <summary>Time of day of the first sample, written on the record line when set.</summary>
    public TimeSpan? BaseTime { get; init; }

    /// <summary>Date of the first sample, written on the record line when set (needs <see cref="BaseTime"/>).</summary>
    public DateOnly? BaseDate { get; init; }
}
