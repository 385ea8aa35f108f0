using System.Globalization;
using EcgStream.Core.Events;

namespace EcgStream.Cluster;

/// <summary>
/// The id under which an event is published (JetStream's Nats-Msg-Id): bed, type, rhythm, source, kind and
/// the onset time in milliseconds of stream time. A worker that takes a bed over rebuilds its state from the
/// stream on the same window grid (it starts the pipeline at a hop boundary), so an event the old owner
/// published and the new one recomputes gets the same id, and the events stream stores it once.
/// </summary>
public static class EventIds
{
    public static string Of(RhythmEvent e) => string.Create(CultureInfo.InvariantCulture,
        $"{e.StreamId}.{(e.Type == EventType.Rhythm ? "r" : "a")}.{e.Rhythm}.{SourceToken(e.Source)}.{(e.Kind == EventKind.Onset ? "on" : "off")}.{Math.Round(e.StartSeconds * 1000):F0}");

    /// <summary>
    /// One token per source. The fused source must not share the rules' token: for the rate classes (STACH, SBRAD) the fused
    /// evidence is the rules' own, so a fused episode starts exactly when the rule episode does, and with one token the
    /// events stream and the central station's feed dropped the fused event (the one that alarms) as the rule event's duplicate.
    /// </summary>
    private static string SourceToken(EventSource source) => source switch
    {
        EventSource.Rule => "r",
        EventSource.Model => "m",
        EventSource.Fused => "f",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "not an event source"),
    };
}
