namespace EcgStream.Core.Events;

public enum EventType { Rhythm, Alarm }
public enum EventKind { Onset, Offset }
public enum EventSource { Rule, Model }

/// <summary>
/// What the pipeline emits: a rhythm or alarm starting or ending on one stream. Events are rare
/// (seconds apart), so they are ordinary objects.
/// </summary>
/// <param name="StreamId">Bed or stream id.</param>
/// <param name="Rhythm">Class name of DESIGN.md (e.g. "AF") or an alarm name (e.g. "PAUSE", "ASYSTOLE", "LEAD_OFF").</param>
/// <param name="StartSeconds">Stream time of the onset (set on onsets and offsets).</param>
/// <param name="EndSeconds">Stream time of the end (offsets only).</param>
/// <param name="DetectedSeconds">Stream time at which the event was emitted.</param>
/// <param name="Confidence">0..1.</param>
/// <param name="ModelId">The model that produced it, for model events.</param>
/// <param name="RunId">The daemon run that emitted it (one per process start), so runs appended to one file can be told apart.</param>
/// <param name="DetectedUtc">Wall-clock time (UTC) at which it was emitted.</param>
/// <param name="EndReason">Offsets not caused by the signal: "shutdown" (the daemon stopped), "restart" (the stream state
/// restarted: a gap too long to fill, a new rate or lead set). Null for offsets the signal itself caused.</param>
public sealed record RhythmEvent(
    string StreamId,
    EventType Type,
    EventKind Kind,
    string Rhythm,
    double StartSeconds,
    double? EndSeconds,
    double DetectedSeconds,
    double Confidence,
    EventSource Source,
    string? ModelId = null,
    string? RunId = null,
    DateTimeOffset? DetectedUtc = null,
    string? EndReason = null)
{
    /// <summary>Detection latency in stream time: from onset (or end) to emission.</summary>
    public double LatencySeconds => DetectedSeconds - (Kind == EventKind.Onset ? StartSeconds : EndSeconds ?? StartSeconds);
}
