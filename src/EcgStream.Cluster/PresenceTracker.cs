using System.Collections.Concurrent;
using System.Diagnostics;

namespace EcgStream.Cluster;

/// <summary>
/// Who is alive by core-NATS presence messages (every worker publishes its id every quarter TTL on
/// <see cref="ClusterSettings.PresenceSubject"/>; no stream, so no Raft election stands in its way after a node loss).
/// A worker heard before and not for half a TTL is <em>suspected</em> — but only while this worker has heard its own
/// messages for half a TTL without a break, so that after its own reconnect every live worker gets that long to be heard
/// again. Suspicion is evidence enough to warm a worker's beds up (which writes nothing), not to claim them on the fence
/// alone: a live worker whose connection is moving to another node is silent here for a moment. Times are
/// <see cref="Stopwatch"/> timestamps.
/// </summary>
public sealed class PresenceTracker(string self, TimeSpan ttl)
{
    private readonly ConcurrentDictionary<string, long> _heardAt = new(StringComparer.Ordinal);
    private long _selfSince; // since when this worker's own messages have come back without a break; 0 before the first

    /// <summary>A presence message from <paramref name="worker"/> arrived at <paramref name="now"/>.</summary>
    public void Heard(string worker, long now)
    {
        if (worker == self && (!_heardAt.TryGetValue(self, out var last) || Elapsed(last, now) > ttl / 2))
            Interlocked.Exchange(ref _selfSince, now); // our own came back after a break (a reconnect): judge from now on
        _heardAt[worker] = now;
    }

    /// <summary>Heard within a quarter TTL (one presence period) and a little.</summary>
    public bool Fresh(string worker, long now) => _heardAt.TryGetValue(worker, out var at) && Elapsed(at, now) <= ttl / 4 + Slack;

    /// <summary>The other workers fresh at <paramref name="now"/>.</summary>
    public IEnumerable<string> FreshOthers(long now) => _heardAt.Keys.Where(w => w != self && Fresh(w, now));

    /// <summary>The workers suspected at <paramref name="now"/> (empty while this worker's own presence is not established).</summary>
    public HashSet<string> Suspects(long now)
    {
        var suspects = new HashSet<string>(StringComparer.Ordinal);
        long since = Interlocked.Read(ref _selfSince);
        if (!Fresh(self, now) || since == 0 || Elapsed(since, now) < ttl / 2) return suspects;
        foreach (var (w, at) in _heardAt)
        {
            if (w == self) continue;
            var quiet = Elapsed(at, now);
            if (quiet > ttl * 10) _heardAt.TryRemove(w, out _); // long gone: its beds went by their leases
            else if (quiet > ttl / 2) suspects.Add(w);
        }
        return suspects;
    }

    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);
    private static TimeSpan Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to);
}
