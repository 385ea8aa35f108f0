using EcgStream.Runtime.Pipeline;

namespace EcgStream.Cluster;

/// <summary>Settings of an <see cref="AnalysisWorker"/>.</summary>
public sealed record WorkerOptions
{
    /// <summary>Unique among live workers (the lease value and the progress records carry it).</summary>
    public required string WorkerId { get; init; }
    /// <summary>
    /// History replayed before a bed's last checkpoint when the worker takes the bed over, to warm the filters, the QRS
    /// detector, the rules' 32-RR history, the 9 s model window and the trackers. Events detected in it are not published
    /// (the previous owner did).
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(40);
    /// <summary>How often each owned bed is checkpointed (events flushed first).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(1);
    public BedOptions Bed { get; init; } = BedOptions.Default;
    /// <summary>Most beds this worker takes, whatever its fair share.</summary>
    public int MaxBeds { get; init; } = int.MaxValue;
}
