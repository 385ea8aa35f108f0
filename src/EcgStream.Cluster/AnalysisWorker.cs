using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using EcgStream.Core.Events;
using EcgStream.Core.Tasks;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Sinks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace EcgStream.Cluster;

/// <summary>
/// An analysis worker (`ecgstream worker`): owns beds through leases in the <c>ecg_leases</c> bucket, runs the
/// ordinary per-bed pipeline (<see cref="Runtime.Pipeline.BedPipeline"/>) over each owned bed's sample stream, and
/// publishes the events to <c>events.&lt;site&gt;.&lt;bed&gt;</c>.
/// <para>Assignment (docs/scale-out.md): every TTL/4 the worker renews its leases (compare-and-set on the revision
/// it holds), heartbeats in <c>ecg_workers</c>, and computes its fair share, ⌈beds / live workers⌉. Below it, it
/// claims unowned beds; above it (a worker joined), it hands beds back after a last checkpoint. A lease not renewed
/// within the TTL lapses (the bucket's max age), so a dead worker's beds are free after one TTL.</para>
/// <para>Ownership is decided by the bed's progress records, not by the lease: every record is written with the expected
/// last subject sequence of the one its writer read or wrote, and a new owner writes a claim record before it analyses
/// anything, so an old owner's next write is refused and it drops the bed. The lease only says which beds are free to
/// claim. So a bed is dropped only when ownership is actually lost (another worker's lease seen, or a fenced write
/// refused); a lease store that does not answer (its Raft group electing a leader after a node loss) costs nothing. A
/// worker that stalled (SIGSTOP, a long GC) holds its events back until it has proven ownership again, so it publishes
/// nothing for a bed it lost.</para>
/// </summary>
public sealed class AnalysisWorker : IAsyncDisposable
{
    /// <summary>Fraction of the lease TTL after the last proof of ownership beyond which a bed's events are held back.</summary>
    public const double LeaseGuard = 0.8;
    /// <summary>Beds claimed per claim round at most (a round must stay well inside its budget of one lease TTL).</summary>
    public const int ClaimsPerRound = 8;
    private long _heartbeatingSince; // Stopwatch ticks since which every heartbeat has been stored; 0 while they fail

    private readonly ClusterSettings _settings;
    private readonly WorkerOptions _options;
    private readonly InferenceScheduler? _model;
    private readonly Action<string> _log;
    private readonly NatsConnection _nats;
    private readonly NatsJSContext _js;
    private readonly ConcurrentDictionary<string, BedRunner> _beds = new();
    // Beds warming up ahead of their claim (their owner stopped heartbeating; the claim waits for its lease to lapse and,
    // after a node loss, for the stores to elect leaders): analysed, every event held, nothing written. See WarmAheadAsync.
    private readonly ConcurrentDictionary<string, BedRunner> _warming = new();
    // The last listing of beds and live workers that answered: warm-ahead works from it while a bucket has no leader.
    private volatile IReadOnlyList<string> _knownBeds = [], _knownWorkers = [];
    // Workers found silent by the last warm-ahead: confirmed (a stale stored heartbeat, or a whole TTL quiet on presence),
    // whose beds may be claimed on the fence alone, and beside them those only suspected (half a TTL quiet on presence),
    // whose beds are warmed up but wait for their leases.
    private volatile HashSet<string> _silent = [];
    private volatile HashSet<string> _confirmedSilent = [];
    private volatile bool _claimBacklog; // the last claim round stopped at ClaimsPerRound
    private readonly PresenceTracker _presence;
    // Which live worker takes each of the silent workers' beds (WarmAheadAsync); the claims follow it.
    private volatile Dictionary<string, string> _assigned = new();
    // When this worker first saw each bed without a lease (a bed another worker ranks higher is left to it for a TTL).
    private readonly ConcurrentDictionary<string, long> _unownedSince = new();
    /// <summary>Most beds warming up ahead of a claim at once (CPU: a warm-up replays 70 s of signal).</summary>
    public const int WarmingAtMost = 4 * ClaimsPerRound;
    /// <summary>
    /// Time given to one request of a claim round. A request to a stream without a leader gets no answer at all, so this
    /// is how soon after an election a claim lands; healthy answers take milliseconds.
    /// </summary>
    internal static readonly TimeSpan ClaimRequestTimeout = TimeSpan.FromMilliseconds(750);
    private readonly Channel<Outgoing> _events = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _frozen = new(1, 1); // held while Freeze is in effect (tests' stand-in for SIGSTOP)
    private INatsKVStore? _leases, _workers, _registry;
    private long _eventsEnqueued, _eventsPublished, _eventsSuppressed, _eventDuplicates, _takeovers, _handbacks, _lost, _eventsDiscarded, _eventsSkipped;
    private long _samplesAnalysed, _samplesReplayed, _checkpoints;
    private Task? _eventPump;
    // Messages of every owned bed, in arrival order per bed, waiting for the analysis thread. Bounded: a worker
    // behind its beds stops pulling (the stream holds the samples) rather than queueing without end.
    private readonly Channel<(BedRunner Bed, StreamMessage Message)> _analysis =
        Channel.CreateBounded<(BedRunner, StreamMessage)>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private Thread? _analysisThread;
    private bool _eventFailing;
    private bool _aborted;

    public AnalysisWorker(ClusterSettings settings, WorkerOptions options, InferenceScheduler? model = null, Action<string>? log = null)
    {
        settings.Validate();
        ClusterSettings.CheckToken("worker id", options.WorkerId);
        _settings = settings;
        _options = options;
        _model = model;
        _log = log ?? (_ => { });
        _nats = new NatsConnection(settings.ClientOptions($"ecgstream-worker-{options.WorkerId}"));
        _presence = new PresenceTracker(options.WorkerId, settings.LeaseTtl);
        _js = new NatsJSContext(_nats);
    }

    public string Id => _options.WorkerId;
    public IReadOnlyCollection<string> Beds => _beds.Keys.ToList();
    public long EventsPublished => Interlocked.Read(ref _eventsPublished);
    /// <summary>Events detected in a takeover's warm-up (at or before the previous owner's checkpoint): not published again.</summary>
    public long EventsSuppressed => Interlocked.Read(ref _eventsSuppressed);
    /// <summary>Events JetStream answered as duplicates (same id within its window): stored once.</summary>
    public long EventDuplicates => Interlocked.Read(ref _eventDuplicates);
    public long Takeovers => Interlocked.Read(ref _takeovers);
    public long Handbacks => Interlocked.Read(ref _handbacks);
    /// <summary>Beds dropped because another worker holds the lease or claimed them (a fenced write refused).</summary>
    public long BedsLost => Interlocked.Read(ref _lost);
    /// <summary>Events held back while ownership was unconfirmed and dropped with a bed that was lost meanwhile: never published.</summary>
    public long EventsDiscarded => Interlocked.Read(ref _eventsDiscarded);
    /// <summary>Samples analysed beyond the previous owner's checkpoint (new work).</summary>
    public long SamplesAnalysed => Interlocked.Read(ref _samplesAnalysed);
    /// <summary>Samples replayed to warm a bed up after a takeover.</summary>
    public long SamplesReplayed => Interlocked.Read(ref _samplesReplayed);
    public long Checkpoints => Interlocked.Read(ref _checkpoints);
    /// <summary>Beds whose warm-up started ahead of the claim (the owner had stopped heartbeating).</summary>
    public long WarmedAhead => Interlocked.Read(ref _warmedAhead);
    /// <summary>Of those, runners thrown away (the owner came back, another worker claimed the bed, or the chain moved on).</summary>
    public long WarmupsDiscarded => Interlocked.Read(ref _warmupsDiscarded);
    private long _warmedAhead, _warmupsDiscarded;

    /// <summary>
    /// Runs until <paramref name="ct"/> is cancelled, then hands every bed back (last checkpoint, lease deleted) so another
    /// worker takes it at once. An unreachable cluster is retried (one line per outage), never fatal.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        var token = linked.Token;
        _eventPump = Task.Run(() => PublishEventsAsync(_stop.Token));
        // The pipelines run on one dedicated thread, never on the thread pool: a model queue that makes a push wait
        // (QueueFullPolicy.Wait) blocks only this thread, and lease renewals (thread pool) stay on time under load.
        _analysisThread = new Thread(AnalyseLoop) { IsBackground = true, Name = $"ecgstream-worker-{Id}" };
        _analysisThread.Start();
        try { await ConnectAsync(token); }
        catch (OperationCanceledException) when (token.IsCancellationRequested) { return; } // stopped before the cluster answered: nothing to hand back
        // Separate loops, so that neither a slow checkpoint (events still being stored) nor a claim waiting on a stream without a
        // leader (its progress record) ever delays a lease renewal.
        var every = TimeSpan.FromTicks(_settings.LeaseTtl.Ticks / 4);
        var presence = ListenPresenceAsync(token);
        var leases = LoopAsync("lease", every, LeaseRoundAsync, token);
        var claims = LoopAsync("claim", every, ClaimRoundAsync, token, hurry: () => _claimBacklog);
        // The loop ticks faster than the interval so that a taken bed's first checkpoint (the end of a failover) is not
        // kept waiting; beds already checkpointed by this owner go at the interval.
        var tick = TimeSpan.FromTicks(Math.Min(_options.CheckpointInterval.Ticks, TimeSpan.FromMilliseconds(250).Ticks));
        var checkpoints = LoopAsync("checkpoint", tick, async t =>
        {
            foreach (var bed in _beds.Values)
                if (bed.CheckpointDue(_options.CheckpointInterval, tick)) await CheckpointAsync(bed, t);
        }, token);
        // Its own loop, once a second: a quiet bed's look at the sample stream (up to DirectTimeout each) never delays a
        // checkpoint, the end of a failover among them.
        var quiet = LoopAsync("quiet", TimeSpan.FromSeconds(1), async t =>
        {
            foreach (var bed in _beds.Values) await CheckQuietAsync(bed, t);
        }, token);
        var saying = LoopAsync("presence", every, t => _nats.PublishAsync(_settings.PresenceSubject(Id), Id, cancellationToken: t).AsTask(), token);
        await Task.WhenAll(leases, claims, checkpoints, quiet, saying, presence);
        foreach (var bed in _warming.Keys.ToList()) DiscardWarming(bed, null);
        if (_aborted) return;
        // Graceful stop: hand every bed back so that the others need not wait for the lease to lapse.
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var bed in _beds.Values.ToList())
        {
            try { await HandBackAsync(bed, grace.Token); }
            catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException) { _log($"worker {Id}: bed {bed.Bed} not handed back cleanly ({e.GetBaseException().Message}); its lease lapses in {_settings.LeaseTtl.TotalSeconds:F0} s"); }
        }
    }

    /// <summary>Records when each worker's presence message was last heard (until <paramref name="ct"/>); a lost connection is retried.</summary>
    private async Task ListenPresenceAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (var m in _nats.SubscribeAsync<string>(_settings.PresenceSubject("*"), cancellationToken: ct))
                {
                    if (m.Data is { Length: > 0 } w) _presence.Heard(w, Stopwatch.GetTimestamp());
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) when (e is NatsException or TimeoutException) { }
            try { await Task.Delay(250, ct); } catch (OperationCanceledException) { break; }
        }
    }

    private async Task LoopAsync(string what, TimeSpan every, Func<CancellationToken, Task> round, CancellationToken token, Func<bool>? hurry = null)
    {
        string? failing = null;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await WhileFrozen(token);
                await round(token);
                if (failing is not null) { _log($"worker {Id}: {what} requests answered again"); failing = null; }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                // a cluster that does not answer (a node lost, an election) is retried; so is anything else, named once
                string why = e is NatsException or TimeoutException ? e.GetBaseException().Message : $"{e.GetType().Name}: {e.Message}";
                if (failing != why) _log($"worker {Id}: {what} request failed ({why}); retrying");
                failing = why;
            }
            // after a failure (a store electing a leader: the round runs soon after it answers), or a round that left work
            // for the next, the next try comes sooner
            var soon = TimeSpan.FromTicks(Math.Min(every.Ticks, TimeSpan.FromMilliseconds(250).Ticks));
            try { await Task.Delay(failing is null && hurry?.Invoke() != true ? every : soon, token); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        bool said = false;
        while (true)
        {
            try
            {
                await _nats.ConnectAsync();
                await JetStreamSetup.EnsureWithRetryAsync(_js, _settings, TimeSpan.FromSeconds(30), ct);
                var kv = new NatsKVContext(_js);
                _leases = await kv.GetStoreAsync(ClusterSettings.LeasesBucket, ct);
                _workers = await kv.GetStoreAsync(ClusterSettings.WorkersBucket, ct);
                _registry = await kv.GetStoreAsync(ClusterSettings.BedsBucket, ct);
                _log($"worker {Id}: connected to {_nats.ServerInfo?.Name ?? "the cluster"}; leases lapse after {_settings.LeaseTtl.TotalSeconds:F0} s");
                return;
            }
            catch (Exception e) when (e is NatsException or TimeoutException && !ct.IsCancellationRequested)
            {
                if (!said) _log($"worker {Id}: cannot reach the cluster at {string.Join(",", _settings.Urls)} ({_settings.DescribeFailure(e)}); retrying");
                said = true;
                await Task.Delay(1000, ct);
            }
        }
    }

    /// <summary>Heartbeat, then renew every lease; a store that does not answer fails the round but drops nothing.</summary>
    private async Task LeaseRoundAsync(CancellationToken ct)
    {
        // A store without a leader does not answer (each request waits for its timeout): one round waits at most half a TTL,
        // so that the next one comes round soon after the store does.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(_settings.LeaseTtl / 2);
        Exception? heartbeat = null;
        try
        {
            await _workers!.PutAsync(Id, Encoding.UTF8.GetBytes(Id), cancellationToken: bounded.Token);
            if (Interlocked.Read(ref _heartbeatingSince) == 0) Interlocked.Exchange(ref _heartbeatingSince, Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _heartbeatingSince, 0);
            heartbeat = e; // the workers bucket is another Raft group than the leases: renew anyway
        }
        // A renewal that gets no answer throws out of the round, and the beds are kept: only an answer that names
        // another owner (or a refused fenced write) drops one.
        foreach (var bed in _beds.Values) await RenewAsync(bed, bounded.Token);
        if (heartbeat is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(heartbeat);
    }

    /// <summary>Claims free beds up to the fair share, or hands one back beyond it.</summary>
    private async Task ClaimRoundAsync(CancellationToken ct)
    {
        var stop = ct; // a hand-back, once begun, runs to its end
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(_settings.LeaseTtl);
        ct = bounded.Token;
        _claimBacklog = false;
        await WarmAheadAsync(ct);
        // Only once this worker's heartbeats have been stored for a heartbeat period (TTL/4) without a break: at start, and
        // after the workers bucket was without a leader (every worker retries every 250 ms then), every live worker has
        // heartbeated again by then, so the share counts them all (a survivor that saw itself alone took more than its
        // share and handed beds back before their first checkpoint).
        long since = Interlocked.Read(ref _heartbeatingSince);
        if (since == 0 || Stopwatch.GetElapsedTime(since) < _settings.LeaseTtl / 4) { await ClaimWarmedOnFenceAsync(ct); return; }
        List<string> all = [], workers;
        var held = new HashSet<string>();
        try
        {
            foreach (var key in await Quick(t => KeysAsync(ClusterSettings.BedsBucket, t), ct))
                if (_settings.BedOfKey(key) is { } b) all.Add(b);
            workers = await Quick(t => KeysAsync(ClusterSettings.WorkersBucket, t), ct);
            // a lease deleted on a hand-back is listed until its delete marker ages out (one TTL): the bed waits that long
            foreach (var key in await Quick(t => KeysAsync(ClusterSettings.LeasesBucket, t), ct))
                if (_settings.BedOfKey(key) is { } b) held.Add(b);
        }
        catch (Exception e) when (e is NatsException or TimeoutException && !ct.IsCancellationRequested)
        {
            // The buckets do not answer (a Raft group electing, after a node loss): a silent worker's beds go on the fence
            // alone. The lease only advertises; the claim record decides, and it needs only the progress stream.
            await ClaimWarmedOnFenceAsync(ct);
            throw;
        }
        _knownBeds = all;
        _knownWorkers = workers;
        // a silent worker's heartbeat key outlives it by up to a TTL: it has no share
        int live = workers.Count(w => !_silent.Contains(w));
        int share = Math.Min(_options.MaxBeds, (all.Count + Math.Max(live, 1) - 1) / Math.Max(live, 1));
        // Beds warmed up ahead go first; then rendezvous order. A bed assigned to another live worker (a silent worker's bed:
        // WarmAheadAsync) or ranked higher by one (any other) is left to it for one TTL (it claims it, or the bed is anyone's
        // after that): survivors share a dead worker's beds the way they warm them up, without racing for them.
        var alive = workers.Where(w => !_silent.Contains(w)).ToList();
        var order = all.OrderByDescending(b => _warming.ContainsKey(b)).ThenByDescending(b => Score(Id, b)).ToList();
        foreach (var b in _unownedSince.Keys) if (held.Contains(b) || _beds.ContainsKey(b)) _unownedSince.TryRemove(b, out _);
        // At most ClaimsPerRound claims go per round, so that a round stays well inside its budget.
        int claims = 0;
        foreach (var bed in order)
        {
            if (_beds.Count >= share || claims >= ClaimsPerRound) break;
            if (held.Contains(bed) || _beds.ContainsKey(bed)) continue;
            long free = _unownedSince.GetOrAdd(bed, _ => Stopwatch.GetTimestamp());
            string? first = _assigned.TryGetValue(bed, out var a) ? a : alive.Count > 0 ? alive.MaxBy(w => Score(w, bed)) : null;
            if (!_warming.ContainsKey(bed) && first is not null && first != Id && Stopwatch.GetElapsedTime(free) < _settings.LeaseTtl) continue;
            if (await TryClaimAsync(bed, withLease: true, ct)) claims++;
        }
        // a round that stopped at its cap left beds waiting (a dead worker's 11 per survivor in the 64-bed demo): the next comes in 250 ms
        _claimBacklog = claims >= ClaimsPerRound;
        // Above the share (a worker joined or came back): one bed per round; only a
        // bed checkpointed since this worker took it, since handing one back mid-warm-up throws the warm-up away and the next
        // owner starts it again from the same checkpoint (a survivor that briefly saw itself alone did exactly that).
        if (_beds.Count > share && order.AsEnumerable().Reverse().Select(b => _beds.TryGetValue(b, out var r) ? r : null).FirstOrDefault(r => r is { CheckpointedSinceTaken: true }) is { } runner)
            await HandBackAsync(runner, stop);
    }

    /// <summary>
    /// Claims the beds warming up ahead (their owner silent) without their lease, on the fence alone: for when the buckets do
    /// not answer. <see cref="TryClaimAsync"/> still refuses a bed whose last record is younger than a TTL.
    /// </summary>
    private async Task ClaimWarmedOnFenceAsync(CancellationToken ct)
    {
        int claims = 0;
        var confirmed = _confirmedSilent;
        foreach (var (bed, runner) in _warming.ToList())
        {
            if (claims >= ClaimsPerRound || ct.IsCancellationRequested) break;
            if (!confirmed.Contains(runner.PreviousOwner ?? "")) continue; // only suspected (presence): its claim waits for the lease
            try { if (await TryClaimAsync(bed, withLease: false, ct) && ++claims >= ClaimsPerRound) _claimBacklog = true; }
            catch (Exception e) when (e is NatsException or TimeoutException && !ct.IsCancellationRequested) { return; } // the progress stream elects too
        }
    }

    /// <summary>
    /// Keys present in a bucket, from its stream's per-subject counts: one request to the stream's leader and no consumer. (The
    /// client's key listing creates a consumer, and nats-server 2.9 may place one on a node that has just died, where it waits
    /// until that node returns: claims waited for n3's restart in the demo.)
    /// </summary>
    private async Task<List<string>> KeysAsync(string bucket, CancellationToken ct)
    {
        string prefix = $"$KV.{bucket}.";
        var stream = await _js.GetStreamAsync("KV_" + bucket, new NATS.Client.JetStream.Models.StreamInfoRequest { SubjectsFilter = prefix + ">" }, ct);
        return stream.Info.State.Subjects is { } subjects ? subjects.Keys.Select(k => k[prefix.Length..]).ToList() : [];
    }

    /// <summary>Renews a bed's lease; when the lease is no longer the one this worker wrote, finds out whether the bed is lost.</summary>
    private async Task RenewAsync(BedRunner bed, CancellationToken ct)
    {
        if (bed.Stopping) return; // being handed back or dropped
        string key = _settings.BedKey(bed.Bed);
        long sent = Stopwatch.GetTimestamp();
        try
        {
            bed.LeaseRevision = await _leases!.UpdateAsync(key, Encoding.UTF8.GetBytes(Id), bed.LeaseRevision, cancellationToken: ct);
            if (bed.LeaseProves) Confirmed(bed, sent);
            return;
        }
        catch (NatsKVException e) when (e is NatsKVWrongLastRevisionException or NatsKVKeyNotFoundException or NatsKVKeyDeletedException) { }
        // The lease changed: another worker's now, or gone (it lapsed while the store had no leader, or was deleted).
        string? holder = null;
        ulong revision = 0;
        try
        {
            var entry = await _leases!.GetEntryAsync<byte[]>(key, cancellationToken: ct);
            holder = entry.Value is { } v ? Encoding.UTF8.GetString(v) : null;
            revision = entry.Revision;
        }
        catch (NatsKVException e) when (e is NatsKVKeyNotFoundException or NatsKVKeyDeletedException) { }
        if (holder == Id) { bed.LeaseRevision = revision; return; } // our own write whose answer was lost: renewed next round
        // Claimed on the fence alone: the lease left by the owner we fenced out is stale (our claim record is on top of its
        // chain); it lapses within a TTL and the lease is created then.
        if (holder is not null && holder == bed.PreviousOwner && bed.LeaseRevision == 0) return;
        if (holder is not null) { Lose(bed, $"lease held by worker {holder}"); return; }
        // Gone: this worker still holds the fence (its next fenced write says whether anyone claimed the bed), so it takes the
        // lease again rather than giving the bed up; not a bed being handed back (its lease was deleted on purpose).
        if (bed.Stopping) return;
        try
        {
            bed.LeaseRevision = await _leases!.CreateAsync(key, Encoding.UTF8.GetBytes(Id), cancellationToken: ct);
            // not a proof of ownership: while the key was gone another worker may have claimed the bed and released it again;
            // the next fenced record decides (and makes renewals proofs again)
            bed.LeaseProves = false;
            _log($"worker {Id}: bed {bed.Bed}: lease had lapsed; taken again");
        }
        // The key exists after all: our own create whose answer was lost, or a replica that had not caught up when it said
        // "no key" (both seen after a lost quorum: a CI run's worker dropped beds nobody had taken). Not a sign of another
        // owner: the next round reads the holder again, and only another worker's name there (or a refused fenced write)
        // drops the bed.
        catch (NatsKVException e) when (e is NatsKVCreateException or NatsKVWrongLastRevisionException) { }
    }

    /// <summary>
    /// Claims a bed without a lease: lease created, then a claim record written on top of the bed's last progress record
    /// (expected last subject sequence), then the warm-up starts. False when the bed is not free after all.
    /// </summary>
    private async Task<bool> TryClaimAsync(string bed, bool withLease, CancellationToken ct)
    {
        var last = await Quick(t => LastProgressAsync(bed, t), ct);
        // Its owner wrote progress within the TTL: alive, only its lease lapsed (the store had no leader for longer than the
        // TTL); it takes the lease again itself. (Server timestamp against this machine's clock: NTP keeps them well inside a TTL.)
        if (last.Record is { Release: false } r && r.Worker != Id && DateTimeOffset.UtcNow - last.Stored < _settings.LeaseTtl) return false;
        long sent = Stopwatch.GetTimestamp();
        string key = _settings.BedKey(bed);
        ulong revision = 0; // without a lease: the lease loop creates it once the bucket answers
        if (withLease)
        {
            try { revision = await Quick(t => _leases!.CreateAsync(key, Encoding.UTF8.GetBytes(Id), cancellationToken: t).AsTask(), ct); }
            catch (NatsKVException e) when (e is NatsKVCreateException or NatsKVWrongLastRevisionException) { return false; } // another worker was faster
        }
        long to = last.Record?.To ?? 0;
        var claim = new ProgressRecord(Id, to, to, last.Record?.SampleRate ?? 0, last.Record?.LastMessageUtc ?? DateTimeOffset.UnixEpoch, Episodes: last.Record?.Episodes);
        ulong? fence;
        try { fence = await Quick(t => FencedWriteAsync(bed, claim, last.Sequence, t), ct); }
        catch (Exception)
        {
            // no answer: try again next round (a claim that landed meanwhile is recognised then as this worker's own)
            if (withLease)
            {
                try { await Quick(async t => { await _leases!.DeleteAsync(key, new NatsKVDeleteOpts { Revision = revision }, t); return true; }, ct); }
                catch (Exception x) when (x is NatsException or TimeoutException or OperationCanceledException) { } // it lapses within the TTL
            }
            throw;
        }
        if (fence is null)
        {
            // refused: its owner (or another claimer) wrote after our read, so it is not free
            if (withLease)
            {
                try { await Quick(async t => { await _leases!.DeleteAsync(key, new NatsKVDeleteOpts { Revision = revision }, t); return true; }, ct); }
                catch (Exception x) when (x is NatsException or TimeoutException or OperationCanceledException) { }
            }
            _log($"worker {Id}: bed {bed}: claim refused (its owner wrote progress meanwhile)");
            DiscardWarming(bed, "claim refused");
            return false;
        }
        // A runner that warmed up ahead from this very record carries on as the owner's; one from an older record is replaced.
        BedRunner runner;
        string warmed = "";
        if (_warming.TryRemove(bed, out var warm) && warm.BasedOn == last.Sequence && !warm.Stopping)
        {
            runner = warm;
            runner.Promote(revision, sent, fence.Value);
            warmed = $"; warming up since {Stopwatch.GetElapsedTime(warm.StartedAt).TotalSeconds:F1} s";
        }
        else
        {
            if (warm is not null) { warm.StopInput(); _ = warm.StopAsync(); DropHeld(warm, counted: false); Interlocked.Increment(ref _warmupsDiscarded); }
            runner = new BedRunner(this, bed, revision, sent, last.Record, fence.Value);
            runner.Start(_js, _settings.SampleSubject(bed), WarmupFrom(last.Record), _stop.Token);
        }
        // claimed on the fence alone: a renewal proves nothing until the lease exists again (the lease loop creates it)
        if (!withLease) runner.LeaseProves = false;
        _beds[bed] = runner;
        Interlocked.Increment(ref _takeovers);
        Confirmed(runner, sent); // a warmed-up runner's held events (detected after the previous owner's checkpoint) go out
        _log($"worker {Id}: took bed {bed}" + (last.Record is { To: > 0 } q ? $" (resuming after sample {q.To} checkpointed by {q.Worker}{warmed})" : " (new bed)")
             + (withLease ? "" : " on the fence alone (the leases bucket did not answer)"));
        return true;
    }

    private DateTimeOffset? WarmupFrom(ProgressRecord? last) => last is { To: > 0 } p ? p.LastMessageUtc - _options.Warmup : null;

    /// <summary>
    /// Starts the warm-up of beds whose owner has stopped heartbeating, before their claim: the claim waits for the lease to
    /// lapse (one TTL) and, after a node loss, for the stores to elect leaders (nats-server 2.9: 4-9 s), and the 70 s warm-up
    /// used to start only after it. Everything here reads from any replica (direct gets), so it runs while the stores elect.
    /// Such a runner writes nothing and holds every event; the claim adopts it if it builds on the record the runner resumed
    /// from, and it is thrown away if the owner heartbeats again, another worker claims the bed, or no claim comes.
    /// Each silent worker's bed goes to the live worker ranked highest for it among those below their share (every live worker
    /// computes the same assignment from the same records), so the survivors share a dead worker's beds without talking to
    /// each other. Silence is judged from the workers bucket (a stored heartbeat older than this worker's own, only once that
    /// has been stored for a TTL) and from core-NATS presence (<see cref="PresenceTracker"/>), which no election holds up.
    /// </summary>
    private async Task WarmAheadAsync(CancellationToken ct)
    {
        try
        {
            foreach (var (bed, runner) in _warming)
                if (Stopwatch.GetElapsedTime(runner.StartedAt) > _options.Warmup / 2 + _settings.LeaseTtl * 4) DiscardWarming(bed, "no claim came");
            var workers = _knownWorkers;
            long heardAt = Stopwatch.GetTimestamp();
            // presence also covers a dead worker whose heartbeat key has aged out of the bucket (no longer listed at all)
            var suspects = _presence.Suspects(heardAt);
            if (workers.Count < 2 && suspects.Count == 0) { _silent = _confirmedSilent = []; return; }
            var records = new Dictionary<string, (ProgressRecord? Record, ulong Sequence, DateTimeOffset Stored)>();
            HashSet<string> silent, heard = []; // heard: workers seen alive (a heartbeat as fresh as this worker's own)
            // Only while this worker's own heartbeats have been stored without a break for a whole TTL: after an outage of the
            // stores (a lost quorum) every worker resumes at its own pace, and one that has not heartbeated yet is not dead
            // (OwnershipTests caught survivors taking a live peer's beds on the fence alone when the quorum came back).
            long since = Interlocked.Read(ref _heartbeatingSince);
            silent = [];
            if (since != 0 && Stopwatch.GetElapsedTime(since) >= _settings.LeaseTtl && await Quick(t => HeartbeatAsync(Id, t), ct) is { } mine)
                foreach (var w in workers)
                {
                    // a worker whose last stored heartbeat is older than this worker's own by half a TTL has stopped
                    if (w == Id) continue;
                    var theirs = await Quick(t => HeartbeatAsync(w, t), ct);
                    (theirs is { } th && mine - th < _settings.LeaseTtl / 2 ? heard : silent).Add(w);
                }
            // quiet on presence for a whole TTL counts as confirmed: the workers bucket cannot say while it elects (a lost
            // node that led it), and after that only once this worker's heartbeats have been stored for a TTL
            silent.UnionWith(_presence.Gone(heardAt));
            // heard by presence: alive, whatever the bucket says
            heard.UnionWith(_presence.FreshOthers(heardAt));
            silent.ExceptWith(heard);
            _confirmedSilent = [.. silent];
            // suspected by presence while the workers bucket cannot tell (it elects, or this worker's heartbeats are too recent)
            foreach (var w in suspects) if (!heard.Contains(w)) silent.Add(w);
            _silent = silent;
            async Task<(ProgressRecord? Record, ulong Sequence, DateTimeOffset Stored)> Last(string bed) =>
                records.TryGetValue(bed, out var r) ? r : records[bed] = await Quick(t => DirectLastProgressAsync(bed, t), ct);
            // a runner whose owner is back, or whose bed's chain moved on (claimed by another worker, or its owner wrote
            // again), can never be adopted by a claim
            foreach (var (bed, runner) in _warming)
            {
                // only on evidence that the owner is alive: a round that cannot tell (the stores electing) keeps the runner
                if (heard.Contains(runner.PreviousOwner ?? "")) { DiscardWarming(bed, $"worker {runner.PreviousOwner} is alive"); continue; }
                var now = await Last(bed);
                if (now.Sequence != runner.BasedOn) DiscardWarming(bed, now.Record is { } r && r.Worker != runner.PreviousOwner ? $"claimed by worker {r.Worker}" : "its chain moved on");
            }
            if (silent.Count == 0) { _assigned = new Dictionary<string, string>(); return; }
            var alive = workers.Where(w => !silent.Contains(w)).ToList();
            // Who takes which of the silent workers' beds, the same for every live worker that reads the same records: in
            // bed order, the live worker ranked first for the bed among those below their share (counted from the beds'
            // last records). Ranking alone gave one survivor more beds than its share: it warmed one it could not claim, and
            // the bed waited a TTL for the other (failover 12.4 s in one run).
            var last = new Dictionary<string, (ProgressRecord? Record, ulong Sequence, DateTimeOffset Stored)>();
            foreach (var bed in _knownBeds) last[bed] = await Last(bed);
            int share = (_knownBeds.Count + alive.Count - 1) / Math.Max(1, alive.Count);
            var held = alive.ToDictionary(w => w, _ => 0);
            foreach (var (_, l) in last)
                if (l.Record is { Release: false } r && held.ContainsKey(r.Worker)) held[r.Worker]++;
            var assigned = new Dictionary<string, string>();
            foreach (var bed in _knownBeds.Order(StringComparer.Ordinal))
            {
                if (last[bed].Record is not { Release: false, To: > 0 } r || !silent.Contains(r.Worker)) continue;
                var to = alive.Where(w => held[w] < share).DefaultIfEmpty().MaxBy(w => w is null ? 0 : Score(w, bed)) ?? alive.MaxBy(w => Score(w, bed))!;
                held[to]++;
                assigned[bed] = to;
            }
            _assigned = assigned;
            foreach (var (bed, to) in assigned)
            {
                if (_warming.Count >= WarmingAtMost) break;
                if (to != Id || _beds.ContainsKey(bed) || _warming.ContainsKey(bed)) continue;
                var r = last[bed].Record!;
                var runner = new BedRunner(this, bed, 0, 0, r, 0) { BasedOn = last[bed].Sequence };
                if (!_warming.TryAdd(bed, runner)) continue;
                runner.Start(_js, _settings.SampleSubject(bed), WarmupFrom(r), _stop.Token);
                Interlocked.Increment(ref _warmedAhead);
                _log($"worker {Id}: bed {bed}: warming up ahead of its claim (worker {r.Worker} {(_confirmedSilent.Contains(r.Worker) ? "silent" : "quiet on presence")}; resuming after sample {r.To})");
            }
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            // a replica not answering costs only the head start; the claim itself does not depend on it
        }
    }

    private void DiscardWarming(string bed, string? why)
    {
        if (!_warming.TryRemove(bed, out var runner)) return;
        runner.StopInput();
        _ = runner.StopAsync();
        DropHeld(runner, counted: false);
        Interlocked.Increment(ref _warmupsDiscarded);
        if (why is not null) _log($"worker {Id}: bed {bed}: warm-up ahead of a claim thrown away ({why})");
    }

    /// <summary>When worker <paramref name="worker"/>'s last heartbeat was stored (it heartbeats every quarter TTL); null if it has none.</summary>
    private async Task<DateTimeOffset?> HeartbeatAsync(string worker, CancellationToken ct)
    {
        try { return (await _workers!.GetEntryAsync<byte[]>(worker, cancellationToken: ct)).Created; }
        catch (NatsKVException e) when (e is NatsKVKeyNotFoundException or NatsKVKeyDeletedException) { return null; }
    }

    /// <summary>One request of a claim round, given <see cref="ClaimRequestTimeout"/>: a store without a leader does not answer.</summary>
    private static async Task<T> Quick<T>(Func<CancellationToken, Task<T>> request, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(ClaimRequestTimeout);
        try { return await request(bounded.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw new TimeoutException($"no answer within {ClaimRequestTimeout.TotalMilliseconds:F0} ms (a store without a leader?)"); }
    }

    internal static uint Score(string worker, string bed)
    {
        uint h = 2166136261;
        foreach (char c in worker) h = (h ^ c) * 16777619;
        h = (h ^ '/') * 16777619;
        foreach (char c in bed) h = (h ^ c) * 16777619;
        // finalizer (MurmurHash3's fmix32): scores of different workers for one bed are compared (rendezvous ranking), and
        // plain FNV of ids that differ in one character ranks the same worker first for most beds
        h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
        return h;
    }

    /// <summary>
    /// A bed's last progress record read from any replica (JetStream direct get: the stream allows it), so it answers while
    /// the stream elects a leader. A follower may be a record behind: use it only where the fence checks the claim anyway.
    /// </summary>
    private async Task<(ProgressRecord? Record, ulong Sequence, DateTimeOffset Stored)> DirectLastProgressAsync(string bed, CancellationToken ct)
    {
        string subject = _settings.ProgressSubject(bed);
        var (m, answered) = await SubjectReader.DirectGetAsync(_nats, ClusterSettings.ProgressStream, $"{{\"last_by_subj\":\"{subject}\"}}", subject, ct);
        if (m is { } got) return (ProgressRecord.Parse(got.Data), got.Sequence, got.Stored);
        if (answered) return (null, 0, default);
        throw new TimeoutException($"direct get of {subject}: no replica answered");
    }

    internal async Task<(ProgressRecord? Record, ulong Sequence, DateTimeOffset Stored)> LastProgressAsync(string bed, CancellationToken ct)
    {
        var stream = await _js.GetStreamAsync(ClusterSettings.ProgressStream, cancellationToken: ct);
        try
        {
            var got = await stream.GetAsync(new NATS.Client.JetStream.Models.StreamMsgGetRequest { LastBySubj = _settings.ProgressSubject(bed) }, ct);
            var m = got.Message;
            return (ProgressRecord.Parse(m.Data.Span), m.Seq, m.Time);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404) { return (null, 0, default); }
    }

    /// <summary>Writes a checkpoint of what the bed's pipeline has fully processed, after its events are in the events stream.</summary>
    private async Task CheckpointAsync(BedRunner bed, CancellationToken ct)
    {
        await bed.CheckpointGate.WaitAsync(ct);
        try { await CheckpointLockedAsync(bed, ct); }
        finally { bed.CheckpointGate.Release(); }
    }

    private async Task CheckpointLockedAsync(BedRunner bed, CancellationToken ct)
    {
        if (bed.Dropped) return;
        var due = bed.TakeCheckpointDue(_model);
        // Ownership unconfirmed for a while (the lease store did not answer, or this worker stalled), or events held back
        // meanwhile (a checkpoint must not pass them): prove ownership first with an empty fenced record.
        bool held;
        lock (bed.Held) held = bed.Held.Count > 0;
        if (held || !bed.OwnershipFresh(_settings.LeaseTtl)) { await ReassertAsync(bed, ct); return; }
        if (due is not { } snap || snap.End <= bed.Committed) return;
        if (!await FlushEventsAsync(TimeSpan.FromSeconds(2), ct)) return; // events not stored yet: no checkpoint past them
        var record = new ProgressRecord(Id, bed.Committed, snap.End, bed.SampleRate, snap.LastMessageUtc, Episodes: bed.Episodes());
        long sent = Stopwatch.GetTimestamp();
        bool first = !bed.CheckpointedSinceTaken;
        if (await FencedWriteAsync(bed.Bed, record, bed.ProgressSequence, ct) is not { } seq) { Lose(bed, "another worker claimed it (checkpoint refused)"); return; }
        bed.LeaseProves = true;
        Confirmed(bed, sent);
        Interlocked.Increment(ref _checkpoints);
        if (first && bed.CheckpointedSinceTaken && bed.ResumeAfter is not null)
            _log($"worker {Id}: bed {bed.Bed}: first checkpoint (to sample {bed.Committed}) {Stopwatch.GetElapsedTime(bed.ClaimedAt).TotalSeconds:F1} s after the claim");
    }

    /// <summary>
    /// Appends <paramref name="record"/> to the bed's chain on top of the record with sequence <paramref name="expected"/>.
    /// Returns the stored record's sequence (the bed's runner, if any, is moved to it), or null when another writer
    /// extended the chain first. Two guards: the expected last subject sequence, and the message id
    /// <c>&lt;bed&gt;:&lt;expected&gt;</c>, which makes "one successor per record" hold even for writes in flight: nats-server
    /// 2.9 checks the expected sequence against stored records only, so a write whose answer was lost in a node loss and
    /// its retry both passed it (a bed of a test run got 250 samples checkpointed twice); message ids it checks in flight.
    /// A duplicate or a refusal means some write built on that record already: this worker's own (lost answer), or another's.
    /// </summary>
    private async Task<ulong?> FencedWriteAsync(string bed, ProgressRecord record, ulong expected, CancellationToken ct)
    {
        bool taken = false; // a duplicate, or refused: something already built on that record
        ulong seq = 0;
        try
        {
            var ack = await _js.PublishAsync(_settings.ProgressSubject(bed), record.ToBytes(),
                opts: new NatsJSPubOpts { ExpectedLastSubjectSequence = expected, MsgId = $"{bed}:{expected}", RetryAttempts = 1 }, cancellationToken: ct);
            if (ack.Duplicate) taken = true;
            else { ack.EnsureSuccess(); seq = ack.Seq; }
        }
        catch (NatsJSDuplicateMessageException) { taken = true; }
        // Refused on the expected sequence: usually another owner's claim, but after a lost quorum also this worker's own
        // earlier write whose answer was lost (nats-server answered the next one 10071 rather than as a duplicate: a CI
        // run's worker dropped a bed nobody had claimed). Both answers are resolved the same way, by the last record.
        catch (NatsJSApiException e) when (e.Error.ErrCode == 10071) { taken = true; }
        var stored = record;
        if (taken)
        {
            // which write built on that record? ours (answer lost, or a retry with more progress) only if it is still the last
            var last = await LastProgressAsync(bed, ct);
            if (last.Record is not { } r || r.Worker != Id || r.From != record.From || r.Release != record.Release) return null;
            stored = r;
            seq = last.Sequence;
        }
        if (_beds.TryGetValue(bed, out var runner) && !stored.Release) runner.Commit(stored.To, stored.To > stored.From ? stored.LastMessageUtc : runner.CommittedMessageUtc, seq);
        return seq;
    }

    /// <summary>An empty record on top of this owner's last one: accepted, ownership is proven (held events go out); refused, the bed was claimed.</summary>
    private async Task ReassertAsync(BedRunner bed, CancellationToken ct)
    {
        var record = new ProgressRecord(Id, bed.Committed, bed.Committed, bed.SampleRate, bed.CommittedMessageUtc == default ? DateTimeOffset.UnixEpoch : bed.CommittedMessageUtc, Episodes: bed.Episodes());
        long sent = Stopwatch.GetTimestamp();
        if (await FencedWriteAsync(bed.Bed, record, bed.ProgressSequence, ct) is null) { Lose(bed, "another worker claimed it (fenced record refused)"); return; }
        bed.LeaseProves = true;
        Confirmed(bed, sent);
    }

    /// <summary>A proof of ownership sent at <paramref name="sentAt"/> was accepted: events held back since the last one go out.</summary>
    private void Confirmed(BedRunner bed, long sentAt)
    {
        bed.Confirm(sentAt);
        lock (bed.Held)
        {
            if (bed.Dropped || !bed.OwnershipFresh(_settings.LeaseTtl)) return;
            while (bed.Held.TryDequeue(out var o)) Enqueue(o);
        }
    }

    /// <summary>Graceful hand-over: wait for the model to catch up, last checkpoint, stop, delete the lease.</summary>
    private async Task HandBackAsync(BedRunner bed, CancellationToken ct)
    {
        bed.StopInput();
        for (int i = 0; i < 3; i++)
        {
            await CheckpointAsync(bed, ct);
            if (bed.Committed >= bed.PushedEnd) break;
            await Task.Delay(100, ct);
        }
        if (bed.Dropped) return; // claimed by another worker meanwhile (a fenced write refused): nothing to hand back
        await bed.StopAsync();
        _beds.TryRemove(bed.Bed, out _);
        DropHeld(bed);
        // A release record ends this owner's chain (the next owner need not wait for it to look dead), then the lease goes.
        try
        {
            var release = new ProgressRecord(Id, bed.Committed, bed.Committed, bed.SampleRate, bed.CommittedMessageUtc == default ? DateTimeOffset.UnixEpoch : bed.CommittedMessageUtc, Release: true, Episodes: bed.Episodes());
            // refused: claimed by another worker meanwhile, nothing of ours to release
            if (await FencedWriteAsync(bed.Bed, release, bed.ProgressSequence, ct) is not null)
                await _leases!.DeleteAsync(_settings.BedKey(bed.Bed), new NatsKVDeleteOpts { Revision = bed.LeaseRevision }, ct);
        }
        catch (NatsKVWrongLastRevisionException) { }
        Interlocked.Increment(ref _handbacks);
        _log($"worker {Id}: handed bed {bed.Bed} back at sample {bed.Committed}");
    }

    private void Lose(BedRunner bed, string why)
    {
        if (!_beds.TryRemove(bed.Bed, out _)) return;
        bed.StopInput();
        _ = bed.StopAsync();
        int discarded = DropHeld(bed);
        Interlocked.Increment(ref _lost);
        _log($"worker {Id}: dropped bed {bed.Bed}: {why}" + (discarded > 0 ? $"; {discarded} held event(s) discarded" : ""));
        // a lease of ours still on the key (taken again after it lapsed, but the fence had moved) is freed at once
        _ = DeleteLeaseQuietly(bed);
    }

    private async Task DeleteLeaseQuietly(BedRunner bed)
    {
        try { await _leases!.DeleteAsync(_settings.BedKey(bed.Bed), new NatsKVDeleteOpts { Revision = bed.LeaseRevision }); }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException) { } // another's now, or it lapses
    }

    /// <summary>
    /// Marks the bed dropped; its held events are never published. Returns how many there were. Not <paramref name="counted"/>
    /// as discarded for a runner that only warmed up ahead of a claim: its events were never this worker's to publish.
    /// </summary>
    private int DropHeld(BedRunner bed, bool counted = true)
    {
        lock (bed.Held)
        {
            bed.Dropped = true;
            int n = bed.Held.Count;
            bed.Held.Clear();
            if (counted) Interlocked.Add(ref _eventsDiscarded, n);
            return n;
        }
    }

    internal void Analysed(long fresh, long replayed)
    {
        if (fresh > 0) Interlocked.Add(ref _samplesAnalysed, fresh);
        if (replayed > 0) Interlocked.Add(ref _samplesReplayed, replayed);
    }

    internal InferenceScheduler? Model => _model;
    internal WorkerOptions Options => _options;
    internal ClusterSettings Settings => _settings;
    internal Action<string> Log => _log;
    internal Task WhileFrozen(CancellationToken ct) => _frozen.CurrentCount > 0 ? Task.CompletedTask : WaitThaw(ct);
    private async Task WaitThaw(CancellationToken ct) { await _frozen.WaitAsync(ct); _frozen.Release(); }

    internal ValueTask EnqueueAsync(BedRunner bed, StreamMessage msg, CancellationToken ct) => _analysis.Writer.WriteAsync((bed, msg), ct);

    private void AnalyseLoop()
    {
        var reader = _analysis.Reader;
        try
        {
            while (reader.WaitToReadAsync(_stop.Token).AsTask().GetAwaiter().GetResult())
                while (reader.TryRead(out var item)) item.Bed.Process(item.Message);
        }
        catch (OperationCanceledException) { }
        catch (ChannelClosedException) { }
    }

    /// <summary>Seconds without samples after which an owned bed's SIGNAL_LOSS is raised (the daemon's signalLossSeconds default).</summary>
    public static readonly TimeSpan SignalLossAfter = TimeSpan.FromSeconds(4);

    /// <summary>
    /// An owned bed whose runner has pushed nothing for <see cref="SignalLossAfter"/>: if the stream's newest block of the bed
    /// (a direct get, any replica) is that old too, the source or its gateway went quiet — not this worker lagging — and
    /// SIGNAL_LOSS is raised now, instead of a GAP only when samples come back (probe s21: a gateway killed for 20 s, no
    /// event at all until its restart, then a GAP 23.6 s late). No answer from the cluster raises nothing.
    /// </summary>
    private async Task CheckQuietAsync(BedRunner bed, CancellationToken ct)
    {
        if (bed.Stopping || bed.SignalLost || bed.QuietSeconds is not { } quiet || quiet < SignalLossAfter.TotalSeconds) return;
        string subject = _settings.SampleSubject(bed.Bed);
        var (last, answered) = await SubjectReader.DirectGetAsync(_nats, ClusterSettings.SampleStream, $"{{\"last_by_subj\":\"{subject}\"}}", subject, ct);
        if (!answered || last is not { } m || DateTimeOffset.UtcNow - m.Stored < SignalLossAfter) return;
        bed.RaiseSignalLoss(quiet);
    }

    /// <summary>A wall-clock alarm of an owned bed (SIGNAL_LOSS): never suppressed as warm-up, held like any event while ownership is unconfirmed.</summary>
    internal void EmitWallClock(BedRunner bed, RhythmEvent e)
    {
        var o = new Outgoing(bed, e with { DetectedUtc = DateTimeOffset.UtcNow, RunId = Id }, DateTimeOffset.UtcNow);
        lock (bed.Held)
        {
            if (bed.Dropped || bed.ClaimedAt == 0) return; // a runner warming up ahead of its claim publishes nothing
            if (bed.Held.Count > 0 || !bed.OwnershipFresh(_settings.LeaseTtl)) { bed.Held.Enqueue(o); return; }
            Enqueue(o);
        }
    }

    /// <summary>An event of an owned bed: published unless the previous owner already did (detected at or before its checkpoint).</summary>
    internal void Emit(BedRunner bed, RhythmEvent e, DateTimeOffset sampleUtc)
    {
        if (e.DetectedSeconds * bed.SampleRate <= bed.SuppressThrough + 1e-6) { Interlocked.Increment(ref _eventsSuppressed); return; }
        var o = new Outgoing(bed, e with { DetectedUtc = DateTimeOffset.UtcNow, RunId = Id }, sampleUtc);
        lock (bed.Held)
        {
            if (bed.Dropped) return;
            // unconfirmed owner (stalled, or the stores did not answer): held until the next proof, in order
            if (bed.Held.Count > 0 || !bed.OwnershipFresh(_settings.LeaseTtl)) { bed.Held.Enqueue(o); return; }
            Enqueue(o);
        }
    }

    private void Enqueue(Outgoing o)
    {
        Interlocked.Increment(ref _eventsEnqueued);
        _events.Writer.TryWrite(o);
    }

    /// <summary>Waits until every event enqueued so far is stored; false after <paramref name="within"/> (the checkpoint waits for the next round).</summary>
    private async Task<bool> FlushEventsAsync(TimeSpan within, CancellationToken ct)
    {
        long target = Interlocked.Read(ref _eventsEnqueued);
        var clock = Stopwatch.StartNew();
        while (Interlocked.Read(ref _eventsPublished) + Interlocked.Read(ref _eventDuplicates) + Interlocked.Read(ref _eventsSkipped) < target)
        {
            if (clock.Elapsed > within) return false;
            await Task.Delay(5, ct);
        }
        return true;
    }

    /// <summary>Publishes events in order, each retried until stored; the id makes a retry (or a twin from a takeover) a duplicate.</summary>
    private async Task PublishEventsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var o in _events.Reader.ReadAllAsync(ct))
            {
                // the bed was lost after this event was queued: not published (it lies after the bed's last checkpoint,
                // so the next owner computes it again)
                if (o.Bed.Dropped) { Interlocked.Increment(ref _eventsDiscarded); Interlocked.Increment(ref _eventsSkipped); continue; }
                var headers = new NatsHeaders { ["Ecg-Sample-Time"] = o.SampleUtc.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) };
                var body = Encoding.UTF8.GetBytes(EventJson.ToJson(o.Event));
                while (true)
                {
                    try
                    {
                        var ack = await _js.PublishAsync(_settings.EventSubject(o.Bed.Bed), body, headers: headers,
                            opts: new NatsJSPubOpts { MsgId = EventIds.Of(o.Event), RetryAttempts = 1 }, cancellationToken: ct);
                        // a duplicate (same id within the window: a twin from a takeover, or a retry) is stored once; not an error
                        if (ack.Duplicate) Interlocked.Increment(ref _eventDuplicates);
                        else { ack.EnsureSuccess(); Interlocked.Increment(ref _eventsPublished); }
                        _eventFailing = false;
                        break;
                    }
                    catch (NatsJSDuplicateMessageException) { Interlocked.Increment(ref _eventDuplicates); _eventFailing = false; break; }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        if (!_eventFailing) _log($"worker {Id}: publishing an event failed ({e.GetBaseException().Message}); retrying");
                        _eventFailing = true;
                        await Task.Delay(200, ct);
                        continue;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>A crash stand-in for tests: everything stops at once; no checkpoint, no lease deleted (they lapse).</summary>
    public async Task AbortAsync()
    {
        _aborted = true;
        await _stop.CancelAsync();
        foreach (var bed in _beds.Values.Concat(_warming.Values)) { bed.StopInput(); await WithinAsync(bed.StopAsync(), $"bed {bed.Bed}: its consumer"); }
        _beds.Clear();
        _warming.Clear();
        await WithinAsync(_nats.DisposeAsync().AsTask(), "the cluster connection");
    }

    /// <summary>
    /// A stall stand-in for tests (what SIGSTOP does to the process): the lease loop, checkpoints and every bed's
    /// consumer stop for <paramref name="duration"/>, the connection stays open. Returns when the stall ends.
    /// </summary>
    public async Task FreezeAsync(TimeSpan duration)
    {
        await _frozen.WaitAsync();
        try { await Task.Delay(duration); }
        finally { _frozen.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        foreach (var bed in _beds.Values.Concat(_warming.Values)) { bed.StopInput(); await WithinAsync(bed.StopAsync(), $"bed {bed.Bed}: its consumer"); }
        if (_eventPump is not null) await WithinAsync(_eventPump, "the event pump");
        _analysis.Writer.TryComplete();
        _analysisThread?.Join(StopStepTimeout);
        if (!_aborted) await WithinAsync(_nats.DisposeAsync().AsTask(), "the cluster connection");
    }

    /// <summary>How long each step of a stop may take: a worker told to stop ends, whatever the cluster does.</summary>
    private static readonly TimeSpan StopStepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Awaits one step of a stop for at most <see cref="StopStepTimeout"/>; past it the step is left behind, said once.</summary>
    private async Task WithinAsync(Task step, string what)
    {
        if (!await StopSteps.FinishesWithinAsync(step, StopStepTimeout))
            _log($"worker {Id}: {what} did not stop within {StopStepTimeout.TotalSeconds:F0} s; left behind");
    }

    internal sealed record Outgoing(BedRunner Bed, RhythmEvent Event, DateTimeOffset SampleUtc);
}
