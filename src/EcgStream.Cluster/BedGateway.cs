using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EcgStream.Core.Samples;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace EcgStream.Cluster;

/// <summary>Settings of a <see cref="BedGateway"/>.</summary>
public sealed record GatewayOptions
{
    /// <summary>Blocks held locally while the cluster does not acknowledge them (all beds together); beyond it, new blocks are dropped and counted.</summary>
    public int BufferBlocks { get; init; } = 50_000;
    /// <summary>Publishing lanes. A bed always uses the same lane, so its blocks reach the stream in order; lanes publish concurrently.</summary>
    public int Lanes { get; init; } = 8;
    public string Name { get; init; } = "ecgstream-gateway";
    /// <summary>
    /// Continue each bed's stream where the cluster's copy of it ends. A source's sample index starts at 0 with every run of
    /// the process (ecgstreamd's beds do), so without this a restarted gateway would publish indices the stream already
    /// holds: its blocks would be taken for duplicates (same Nats-Msg-Id) or go backwards for the workers. With it, the
    /// first block of a bed is moved to after the stream's last block of that bed (or its last checkpoint, if the blocks
    /// have aged out) plus the time since it was stored: the time the gateway was away becomes a gap, as it was.
    /// </summary>
    public bool ContinueStreams { get; init; }
}

/// <summary>
/// The bed → stream side of scale-out: takes each bed's sample blocks (from a source's thread), encodes them
/// (<see cref="SampleCodec"/>) and publishes them to <c>ecg.&lt;site&gt;.&lt;bed&gt;</c> with a publish
/// acknowledgement. A block is retried, with the same Nats-Msg-Id (<c>&lt;bed&gt;:&lt;start sample&gt;</c>), until
/// the cluster has stored it, so a retry after a lost acknowledgement is stored once (JetStream's
/// de-duplication window). While the cluster is unreachable, blocks wait in a bounded local buffer;
/// what does not fit is dropped and counted (<see cref="SamplesDropped"/>), never an unbounded queue or a crash.
/// </summary>
public sealed class BedGateway : IAsyncDisposable
{
    private readonly ClusterSettings _settings;
    private readonly GatewayOptions _options;
    private readonly Action<string> _log;
    private readonly Channel<Outgoing>[] _lanes;
    private readonly Task[] _pumps;
    private readonly CancellationTokenSource _stop = new();
    private NatsConnection _nats;
    private NatsJSContext _js;
    private long _refreshed; // Stopwatch ticks of the last connection refresh
    private readonly ConcurrentDictionary<string, long> _publishedEnd = new();
    private readonly ConcurrentDictionary<string, bool> _registered = new();
    private readonly SemaphoreSlim _layoutGate = new(1, 1);
    private volatile bool _layoutReady; // JetStreamSetup.EnsureAsync has succeeded: the gateway may be the first to reach a new cluster
    private readonly ConcurrentDictionary<string, long> _shift = new();       // ContinueStreams: added to a bed's sample indices
    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstAccepted = new(); // when a bed's first block was accepted
    private long _accepted, _published, _dropped, _retries, _duplicates, _buffered;
    private long _outageSince; // Stopwatch ticks of the first failure of the current outage, 0 while publishing works
    private readonly Lock _outageGate = new();
    // Stopwatch ticks of the last dropped block (0: none yet). The gateway counts as failing for DropHoldSeconds after a
    // drop, whatever the publishes say: the first connect to an unreachable cluster can outlast the buffer, and a cluster
    // slower than the beds acknowledges every few milliseconds while a lane still drops. A time, not a flag cleared by the
    // next acknowledgement, so that health neither misses a drop nor flaps while drops go on.
    private long _lastDrop;
    private const double DropHoldSeconds = 5;

    public BedGateway(ClusterSettings settings, GatewayOptions? options = null, Action<string>? log = null)
    {
        settings.Validate();
        _settings = settings;
        _options = options ?? new GatewayOptions();
        if (_options.BufferBlocks < 1 || _options.Lanes < 1) throw new ClusterConfigException($"gateway: buffer ({_options.BufferBlocks}) and lanes ({_options.Lanes}) must be at least 1");
        _log = log ?? (_ => { });
        _nats = new NatsConnection(settings.ClientOptions(_options.Name));
        _js = new NatsJSContext(_nats);
        int perLane = Math.Max(1, _options.BufferBlocks / _options.Lanes);
        _lanes = new Channel<Outgoing>[_options.Lanes];
        _pumps = new Task[_options.Lanes];
        for (int i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(perLane) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            var lane = _lanes[i];
            _pumps[i] = Task.Run(() => PumpAsync(lane));
        }
    }

    /// <summary>Samples (per lead) handed to <see cref="Publish"/> and accepted into the buffer.</summary>
    public long SamplesAccepted => Interlocked.Read(ref _accepted);
    /// <summary>Samples the cluster has acknowledged (stored on a quorum of its nodes).</summary>
    public long SamplesPublished => Interlocked.Read(ref _published);
    /// <summary>Samples dropped because the local buffer was full (the cluster unreachable for too long).</summary>
    public long SamplesDropped => Interlocked.Read(ref _dropped);
    /// <summary>Blocks waiting in the local buffer now.</summary>
    public long BlocksBuffered => Interlocked.Read(ref _buffered);
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Publishes the cluster answered as duplicates (a retry of a block it had stored): stored once.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);
    /// <summary>
    /// True from a failed publish until the next one succeeds (the cluster is not acknowledging), and for 5 s after any
    /// dropped block (the buffer full: the cluster not acknowledging, or not keeping up).
    /// </summary>
    public bool Failing => Interlocked.Read(ref _outageSince) != 0
        // a publish on a disconnected client waits for the reconnect and never fails (review, session 21: nats-server down
        // 20 s, health "ok" throughout): a connection lost and not yet back is an outage of its own (not one never opened:
        // the client connects on the first publish, and a gateway whose beds send nothing yet has published nothing)
        || _nats.ConnectionState == NatsConnectionState.Reconnecting
        || (Interlocked.Read(ref _lastDrop) is var drop and not 0 && Stopwatch.GetElapsedTime(drop).TotalSeconds < DropHoldSeconds);
    /// <summary>Per bed: one past the last sample index acknowledged.</summary>
    public IReadOnlyDictionary<string, long> PublishedEnd => _publishedEnd;

    /// <summary>
    /// Queues one block of bed <c>block.StreamId</c> (copied; valid during the call only). False when the buffer is full:
    /// the block is dropped and counted. Blocks of one bed must come in order, from one thread at a time.
    /// </summary>
    public bool Publish(in SampleBlock block)
    {
        if (block.Length == 0) return true;
        ClusterSettings.CheckToken("bed", block.StreamId);
        var payload = SampleCodec.Encode(block);
        var item = new Outgoing(block.StreamId, block.StartSample, block.Length, block.SampleRate, payload);
        if (_options.ContinueStreams && !_firstAccepted.ContainsKey(block.StreamId)) _firstAccepted.TryAdd(block.StreamId, DateTimeOffset.UtcNow);
        var lane = _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(block.StreamId) % (uint)_lanes.Length)];
        if (!lane.Writer.TryWrite(item))
        {
            Interlocked.Add(ref _dropped, block.Length);
            Interlocked.Exchange(ref _lastDrop, Stopwatch.GetTimestamp());
            return false;
        }
        Interlocked.Increment(ref _buffered);
        Interlocked.Add(ref _accepted, block.Length);
        return true;
    }

    /// <summary>Waits until every accepted block is acknowledged (or <paramref name="timeout"/> passes); true when the buffer is empty.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (Interlocked.Read(ref _buffered) > 0)
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(20, ct);
        }
        return true;
    }

    private async Task PumpAsync(Channel<Outgoing> lane)
    {
        var ct = _stop.Token;
        try
        {
            await foreach (var item in lane.Reader.ReadAllAsync(ct))
            {
                int attempt = 0;
                while (true)
                {
                    try
                    {
                        await RegisterAsync(item.Bed, ct);
                        long shift = _options.ContinueStreams ? await ShiftOfAsync(item, ct) : 0;
                        if (shift != 0 && !item.Shifted)
                        {
                            // the header's start sample (SampleCodec: offset 16), moved once; a retry sends the same bytes
                            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(item.Payload.AsSpan(16), item.Start + shift);
                            item.Shifted = true;
                        }
                        var ack = await _js.PublishAsync(_settings.SampleSubject(item.Bed), item.Payload,
                            opts: new NatsJSPubOpts { MsgId = $"{item.Bed}:{item.Start + shift}", RetryAttempts = 1 }, cancellationToken: ct);
                        // a retry of a block the cluster had stored is answered as a duplicate: stored once, done
                        if (ack.Duplicate) Interlocked.Increment(ref _duplicates);
                        else ack.EnsureSuccess();
                        break;
                    }
                    catch (NatsJSDuplicateMessageException) { Interlocked.Increment(ref _duplicates); break; }
                    catch (Exception e) when (e is NatsException or TimeoutException && !ct.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref _retries);
                        Outage(e);
                        RefreshIfStuck();
                        // back off up to 1 s: a node restart or a leader election takes seconds, an outage longer
                        await Task.Delay(Math.Min(1000, 50 << Math.Min(attempt++, 5)), ct);
                    }
                }
                Recovered();
                Interlocked.Decrement(ref _buffered);
                Interlocked.Add(ref _published, item.Length);
                _publishedEnd[item.Bed] = item.Start + item.Length + (_shift.TryGetValue(item.Bed, out long moved) ? moved : 0);
            }
        }
        // Stopping: a publish or registration under way ends with the cancellation, or with the server's refusal or
        // timeout it was waiting on (the block stays unpublished, as any block still buffered at dispose); neither may
        // escape DisposeAsync.
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or NatsException or TimeoutException) { }
    }

    /// <summary>
    /// <see cref="GatewayOptions.ContinueStreams"/>: what to add to the bed's sample indices so that <paramref name="first"/>
    /// follows the cluster's copy of the bed's stream; found once per bed, before its first block is published.
    /// </summary>
    private async Task<long> ShiftOfAsync(Outgoing first, CancellationToken ct)
    {
        if (_shift.TryGetValue(first.Bed, out long known)) return known;
        double endSeconds = -1;
        DateTimeOffset at = default;
        if (await LastMessageAsync(ClusterSettings.SampleStream, _settings.SampleSubject(first.Bed), ct) is { } block)
        {
            float[] scratch = [];
            if (SampleCodec.TryDecode(block.Data, first.Bed, ref scratch, out var b, out _)) { endSeconds = b.EndSample / b.SampleRate; at = block.Time; }
        }
        // blocks older than the sample retention are gone; the bed's last checkpoint (kept a day) still says where it was
        if (await LastMessageAsync(ClusterSettings.ProgressStream, _settings.ProgressSubject(first.Bed), ct) is { } progress
            && ProgressRecord.Parse(progress.Data) is { SampleRate: > 0 } p && p.To / p.SampleRate > endSeconds)
        {
            endSeconds = p.To / p.SampleRate;
            at = p.LastMessageUtc;
        }
        long shift = 0;
        if (endSeconds >= 0)
        {
            var accepted = _firstAccepted.TryGetValue(first.Bed, out var t) ? t : DateTimeOffset.UtcNow;
            double away = Math.Max(0, (accepted - at).TotalSeconds);
            shift = Math.Max(0, (long)Math.Ceiling((endSeconds + away) * first.Rate) - first.Start);
            _log($"nats: bed {first.Bed} continues its stream at sample {first.Start + shift} ({away:F1} s after its last stored block)");
        }
        _shift[first.Bed] = shift;
        return shift;
    }

    /// <summary>The last message of <paramref name="subject"/> in <paramref name="stream"/>, or null when it has none.</summary>
    private async Task<(byte[] Data, DateTimeOffset Time)?> LastMessageAsync(string stream, string subject, CancellationToken ct)
    {
        try
        {
            var s = await _js.GetStreamAsync(stream, cancellationToken: ct);
            var got = await s.GetAsync(new NATS.Client.JetStream.Models.StreamMsgGetRequest { LastBySubj = subject }, ct);
            return (got.Message.Data.ToArray(), got.Message.Time);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404) { return null; }
    }

    /// <summary>Puts the bed in the registry once, so that workers learn about it (the streams and buckets are made first, once).</summary>
    private async Task RegisterAsync(string bed, CancellationToken ct)
    {
        if (_registered.ContainsKey(bed)) return;
        if (!_layoutReady)
        {
            await _layoutGate.WaitAsync(ct);
            try
            {
                if (!_layoutReady) await JetStreamSetup.EnsureAsync(_js, _settings, createOnly: true, ct);
                _layoutReady = true;
            }
            finally { _layoutGate.Release(); }
        }
        var kv = new NatsKVContext(_js);
        var store = await kv.GetStoreAsync(ClusterSettings.BedsBucket, ct);
        await store.PutAsync(_settings.BedKey(bed), System.Text.Encoding.UTF8.GetBytes(bed), cancellationToken: ct);
        _registered[bed] = true;
    }

    private void Outage(Exception e)
    {
        string why = _settings.DescribeFailure(e);
        lock (_outageGate)
        {
            long now = Stopwatch.GetTimestamp();
            if (_outageSince != 0)
            {
                // still failing: say so again only when the cause changes, at most every 5 s
                if (why == _lastWhy || Stopwatch.GetElapsedTime(_lastSaid, now) < TimeSpan.FromSeconds(5)) return;
                _log($"nats: still failing after {Stopwatch.GetElapsedTime(_outageSince, now).TotalSeconds:F0} s ({why}); {BlocksBuffered} blocks buffered, {SamplesDropped} samples dropped");
            }
            else
            {
                _outageSince = now;
                _log($"nats: publishing failed ({why}); buffering up to {_options.BufferBlocks} blocks and retrying");
            }
            _lastWhy = why;
            _lastSaid = now;
        }
    }
    private string? _lastWhy;
    private long _lastSaid;

    /// <summary>
    /// After 10 s of failures the connection is replaced by a fresh one: a node loss has been seen to leave the client's
    /// request inbox unanswered long after the cluster had recovered (nats-server 2.9.10, NATS.Net 3.3.2).
    /// </summary>
    private void RefreshIfStuck()
    {
        NatsConnection old;
        lock (_outageGate)
        {
            long now = Stopwatch.GetTimestamp();
            if (_outageSince == 0 || Stopwatch.GetElapsedTime(_outageSince, now) < TimeSpan.FromSeconds(10)) return;
            if (_refreshed != 0 && Stopwatch.GetElapsedTime(_refreshed, now) < TimeSpan.FromSeconds(10)) return;
            _refreshed = now;
            old = _nats;
            _nats = new NatsConnection(_settings.ClientOptions(_options.Name));
            _js = new NatsJSContext(_nats);
        }
        _log("nats: still failing after 10 s; reconnecting with a fresh connection");
        _ = Task.Run(async () => await old.DisposeAsync());
    }

    private void Recovered()
    {
        long since;
        lock (_outageGate)
        {
            since = _outageSince;
            if (since == 0) return;
            _outageSince = 0;
        }
        _log($"nats: publishing again after {Stopwatch.GetElapsedTime(since).TotalSeconds:F1} s; {BlocksBuffered} blocks buffered, {SamplesDropped} samples dropped so far");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes) lane.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_pumps);
        await _nats.DisposeAsync();
        _stop.Dispose();
    }

    private sealed record Outgoing(string Bed, long Start, int Length, double Rate, byte[] Payload)
    {
        /// <summary>The payload's start sample has been moved by the bed's shift.</summary>
        public bool Shifted { get; set; }
    }
}
