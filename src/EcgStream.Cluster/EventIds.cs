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
        $"{e.StreamId}.{(e.Type == EventType.Rhythm ? "r" : "a")}.{e.Rhythm}.{(e.Source == EventSource.Model ? "m" : "r")}.{(e.Kind == EventKind.Onset ? "on" : "off")}.{Math.Round(e.StartSeconds * 1000):F0}");
}
