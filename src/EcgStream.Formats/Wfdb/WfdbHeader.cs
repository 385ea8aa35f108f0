namespace EcgStream.Formats.Wfdb;

/// <summary>A parsed WFDB header (.hea): the record line, the signal lines and the comments.</summary>
public sealed class WfdbHeader
{
    /// <summary>Path of the .hea file the header came from.</summary>
    public required string Path { get; init; }
    /// <summary>Record name from the record line.</summary>
    public required string RecordName { get; init; }
    /// <summary>Number of signals (equals <see cref="Signals"/>.Count).</summary>
    public int SignalCount => Signals.Count;
    /// <summary>Frames per second (WFDB fs); 250 when the header omits it.</summary>
    public required double SamplingFrequency { get; init; }
    /// <summary>Counter frequency (the "/" part of the fs field), or null.</summary>
    public double? CounterFrequency { get; init; }
    /// <summary>Base counter value (the "(…)" after the counter frequency), or 0.</summary>
    public double BaseCounter { get; init; }
    /// <summary>Frames in the record, or null when the header omits it (then the signal files decide).</summary>
    public long? SampleCount { get; init; }
    /// <summary>Time of day of the first sample, when given.</summary>
    public TimeSpan? BaseTime { get; init; }
    /// <summary>Date of the first sample, when given.</summary>
    public DateOnly? BaseDate { get; init; }
    /// <summary>Signal lines, in header order (the record's channel order).</summary>
    public required IReadOnlyList<WfdbSignalSpec> Signals { get; init; }
    /// <summary>
    /// True when every signal line stated checksum 0 (as PhysioNet/CinC 2017 headers do without
    /// computing it): those zeros are not checked, and the signals' <see cref="WfdbSignalSpec.Checksum"/> are null.
    /// </summary>
    public bool ChecksumsNotGiven { get; init; }
    /// <summary>Comment lines, without the leading '#' and surrounding blanks ("Dx: 426783006", "Age: 54").</summary>
    public IReadOnlyList<string> Comments { get; init; } = [];
    /// <summary>
    /// Malformed optional fields the parser ignored (base time/date, counter frequency, ADC
    /// resolution, ADC zero, initial value, checksum, block size, extra fields), one line each:
    /// "file, line N, field 'f': problem; ignored". Empty for a clean header.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Directory holding the header and, normally, its signal files.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".";

    /// <summary>The value of a "# Key: value" comment (e.g. "Dx" in PhysioNet 2021 headers), or null.</summary>
    public string? Comment(string key)
    {
        foreach (var c in Comments)
            if (CommentValue(c, key) is { } value) return value;
        return null;
    }

    /// <summary>
    /// The value of one comment (its text after '#') when it reads "Key: value" for <paramref name="key"/> (blanks around
    /// the key and value ignored, the key's case too), else null. Readers that list records without parsing whole
    /// headers read their comments with this, so both agree.
    /// </summary>
    public static string? CommentValue(string comment, string key)
    {
        int colon = comment.IndexOf(':');
        return colon > 0 && comment.AsSpan(0, colon).Trim().Equals(key, StringComparison.OrdinalIgnoreCase)
            ? comment[(colon + 1)..].Trim()
            : null;
    }
}
