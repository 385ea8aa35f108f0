namespace EcgStream.Training.Data;

/// <summary>How real records are cut into windows and how episode labels become window labels.</summary>
public sealed record WindowingOptions
{
    /// <summary>Start-to-start distance of windows (9 s: no overlap).</summary>
    public double HopSeconds { get; init; } = 9;
    /// <summary>Output discarded at a record's start while the causal filters settle.</summary>
    public double WarmupSeconds { get; init; } = 1;
    /// <summary>An annotated episode labels a window when it covers at least this much of it.</summary>
    public double MinEpisodeSeconds { get; init; } = 1.5;
    /// <summary>Windows of annotated records whose time is less than this fraction covered by class-set episodes are skipped (they sit in rhythms we do not label).</summary>
    public double MinLabelledFraction { get; init; } = 0.5;
    /// <summary>At most this many windows per record (long Holter-like records would otherwise dominate); 0: no limit.</summary>
    public int MaxWindowsPerRecord { get; init; }
}
