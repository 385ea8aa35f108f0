namespace EcgStream.Runtime.Pipeline;

/// <summary>Names of the alarms the runtime itself raises about the stream (rule alarms are named in <c>RuleAlarm</c>).</summary>
public static class Alarms
{
    /// <summary>Stream time with no samples; onset as soon as the loss is known, offset with the gap's exact extent.</summary>
    public const string Gap = "GAP";
    /// <summary>No samples reached the bed for the configured time (connected or not); closed when data returns.</summary>
    public const string SignalLoss = "SIGNAL_LOSS";
    /// <summary>The stream state (filters, windows, trackers) started afresh, e.g. after a gap too long to fill.</summary>
    public const string StreamRestart = "STREAM_RESTART";
}
