namespace EcgStream.Core.Events;

public enum EventType { Rhythm, Alarm }
public enum EventKind { Onset, Offset }
/// <summary>
/// Who decided: the rule-based detector, the model, or the fusion of the two (what alarms; see docs/events.md).
/// </summary>
public enum EventSource { Rule, Model, Fused }

public static class EventSources
{
    /// <summary>The name in JSON, metrics and reports: "rule", "model" or "fused".</summary>
    public static string Name(EventSource source) => source switch
    {
        EventSource.Rule => "rule",
        EventSource.Model => "model",
        EventSource.Fused => "fused",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "not an event source"),
    };

    /// <summary>Parses <see cref="Name"/>'s output.</summary>
    public static bool TryParse(string? name, out EventSource source)
    {
        source = name switch { "rule" => EventSource.Rule, "model" => EventSource.Model, "fused" => EventSource.Fused, _ => (EventSource)(-1) };
        return (int)source >= 0;
    }
}

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
    /// <summary>
    /// Whether the event belongs on an alarm display: every alarm, and rhythms from the fused source only (the rule
    /// and model sources stay visible in the event streams, for inspection).
    /// </summary>
    public bool RaisesAlarm => Raises(Type, Source);

    /// <inheritdoc cref="RaisesAlarm"/>
    public static bool Raises(EventType type, EventSource source) => type == EventType.Alarm || source == EventSource.Fused;

    /// <summary>Detection latency in stream time: from onset (or end) to emission.</summary>
    public double LatencySeconds => DetectedSeconds - (Kind == EventKind.Onset ? StartSeconds : EndSeconds ?? StartSeconds);
}
