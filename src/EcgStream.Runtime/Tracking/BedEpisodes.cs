using EcgStream.Core.Events;

namespace EcgStream.Runtime.Tracking;

/// <summary>
/// A bed's rhythm trackers (rule, model, fused) as one state that can be carried to another process: the episodes to
/// resume per source when the bed's pipeline starts (<see cref="Pipeline.BedPipeline.Events"/>), and a snapshot of where its
/// trackers are now (<see cref="Snapshot"/>) for the next owner. Sources without a tracker (no model here) keep the state
/// they were given.
/// </summary>
public sealed class BedEpisodes(IReadOnlyDictionary<EventSource, TrackerEpisodes>? resume = null)
{
    private readonly Dictionary<EventSource, RhythmTracker> _trackers = [];

    /// <summary>A tracker for <paramref name="source"/> that resumes its given state; registered for <see cref="Snapshot"/>.</summary>
    internal RhythmTracker Tracker(EventSource source, TrackerOptions options)
    {
        var tracker = new RhythmTracker(options, resume?.GetValueOrDefault(source));
        lock (_trackers) _trackers[source] = tracker;
        return tracker;
    }

    /// <summary>Each source's open episodes as of its newest window. Safe to call from any thread.</summary>
    public Dictionary<EventSource, TrackerEpisodes> Snapshot()
    {
        var now = resume is null ? new Dictionary<EventSource, TrackerEpisodes>() : new Dictionary<EventSource, TrackerEpisodes>(resume);
        lock (_trackers)
            foreach (var (source, tracker) in _trackers)
                if (tracker.Episodes() is { } e) now[source] = e;
        return now;
    }
}
