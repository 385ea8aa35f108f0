using System.Text.Json.Serialization;

namespace EcgStream.Runtime.Tracking;

/// <summary>
/// The episodes one <see cref="RhythmTracker"/> had open after its window ending at <see cref="AsOfSeconds"/>: rhythm name →
/// onset (stream seconds). What a stream's next owner needs to continue the tracker where the previous owner left it: its
/// warm-up replays the signal before the handover, not an episode that opened before the warm-up (a long episode whose
/// evidence wanders under the onset threshold while staying above the offset one stays open in an uninterrupted run, and
/// a tracker started inside it would open it a second time).
/// </summary>
public sealed record TrackerEpisodes(
    [property: JsonPropertyName("as_of_s")] double AsOfSeconds,
    [property: JsonPropertyName("open")] IReadOnlyDictionary<string, double> Open);
