using EcgStream.Runtime.Pipeline;

namespace EcgStream.Cluster;

/// <summary>Settings of an <see cref="AnalysisWorker"/>.</summary>
public sealed record WorkerOptions
{
    /// <summary>Unique among live workers (the lease value and the progress records carry it).</summary>
    public required string WorkerId { get; init; }
    /// <summary>
    /// History replayed before a bed's last checkpoint when the worker takes the bed over, to warm the filters, the QRS
    /// detector, the rules' 32-RR history, the model's 60 s RR context (contract v2) and 9 s window, and the trackers.
    /// Events detected in it are not published (the previous owner did). 70 s: the RR context plus the detector's settling;
    /// with 40 s a v2 model's rhythm features differed from an uninterrupted run's for 20 s after every takeover.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(70);
    /// <summary>
    /// The last part of <see cref="Warmup"/> in which the model scores windows (before it only the signal chain and the
    /// rules run). The model is nine tenths of a bed's CPU, so this is most of a takeover's cost; its trackers need only a
    /// few windows before the checkpoint to be where an uninterrupted run's were.
    /// </summary>
    public TimeSpan ModelWarmup { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>
    /// How often each owned bed is checkpointed (events flushed first). A failover redoes the work since the dead owner's
    /// last checkpoint and counts from it: at 1 s that was up to a second of the 10 s budget (the demo's 10.16 s run).
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public BedOptions Bed { get; init; } = BedOptions.Default;
    /// <summary>Most beds this worker takes, whatever its fair share.</summary>
    public int MaxBeds { get; init; } = int.MaxValue;
}
