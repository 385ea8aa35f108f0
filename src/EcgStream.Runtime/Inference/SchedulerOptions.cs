namespace EcgStream.Runtime.Inference;

/// <summary>What the scheduler does when windows arrive faster than the model runs.</summary>
public enum QueueFullPolicy
{
    /// <summary>Live monitoring: drop the oldest queued window (the newest data matters most) and count it.</summary>
    DropOldest,
    /// <summary>Replay: make the producer wait, so that every window is scored and results are deterministic.</summary>
    Wait,
}

public sealed record SchedulerOptions
{
    /// <summary>Windows that may wait for the model, across all streams.</summary>
    public int QueueCapacity { get; init; } = 256;
    public QueueFullPolicy Policy { get; init; } = QueueFullPolicy.DropOldest;
    /// <summary>
    /// Also records each window's end-to-end latency (seconds, as <see cref="InferenceScheduler.EndToEnd"/>) here,
    /// for a host that exports metrics (ecgstreamd: ecgstream.inference.latency); null: not recorded.
    /// </summary>
    public System.Diagnostics.Metrics.Histogram<double>? EndToEndSeconds { get; init; }
}
