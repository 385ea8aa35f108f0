using System.Collections.Concurrent;
using System.Diagnostics;

namespace EcgStream.Cluster;

/// <summary>
/// Who is alive by core-NATS presence messages (every worker publishes its id every quarter TTL on
/// <see cref="ClusterSettings.PresenceSubject"/>; no stream, so no Raft election stands in its way after a node loss).
/// A worker heard before and not for half a TTL is <em>suspected</em> — but only while this worker has heard its own
/// messages for half a TTL without a break, so that after its own reconnect every live worker gets that long to be heard
/// again. Suspicion is evidence enough to warm a worker's beds up (which writes nothing); a claim on the fence alone waits
/// for a whole TTL of quiet: a live worker whose connection is moving to another node is silent here for a moment. Times are
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

    /// <summary>
    /// The workers quiet for longer than <paramref name="quiet"/> at <paramref name="now"/> (none while this worker's own
    /// presence is not established): half a TTL makes a suspect; a whole TTL, longer than a live worker's reconnect to
    /// another node takes (the client retries within 2 s), is as good as a stale heartbeat.
    /// </summary>
    public HashSet<string> QuietFor(TimeSpan quiet, long now)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        long since = Interlocked.Read(ref _selfSince);
        if (!Fresh(self, now) || since == 0 || Elapsed(since, now) < ttl / 2) return found;
        foreach (var (w, at) in _heardAt)
        {
            if (w == self) continue;
            var q = Elapsed(at, now);
            if (q > ttl * 10) _heardAt.TryRemove(w, out _); // long gone: its beds went by their leases
            else if (q > quiet) found.Add(w);
        }
        return found;
    }

    /// <summary>Quiet for half a TTL: enough to warm a worker's beds up.</summary>
    public HashSet<string> Suspects(long now) => QuietFor(ttl / 2, now);

    /// <summary>Quiet for a whole TTL: enough to claim its beds on the fence alone.</summary>
    public HashSet<string> Gone(long now) => QuietFor(ttl, now);

    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(250);
    private static TimeSpan Elapsed(long from, long to) => Stopwatch.GetElapsedTime(from, to);
}
