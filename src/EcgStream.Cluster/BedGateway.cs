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
    private long _accepted, _published, _dropped, _retries, _duplicates, _buffered;
    private long _outageSince; // Stopwatch ticks of the first failure of the current outage, 0 while publishing works
    private readonly Lock _outageGate = new();

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
        var item = new Outgoing(block.StreamId, block.StartSample, block.Length, payload);
        var lane = _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(block.StreamId) % (uint)_lanes.Length)];
        if (!lane.Writer.TryWrite(item))
        {
            Interlocked.Add(ref _dropped, block.Length);
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
                        var ack = await _js.PublishAsync(_settings.SampleSubject(item.Bed), item.Payload,
                            opts: new NatsJSPubOpts { MsgId = $"{item.Bed}:{item.Start}", RetryAttempts = 1 }, cancellationToken: ct);
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
                _publishedEnd[item.Bed] = item.Start + item.Length;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Puts the bed in the registry once, so that workers learn about it.</summary>
    private async Task RegisterAsync(string bed, CancellationToken ct)
    {
        if (_registered.ContainsKey(bed)) return;
        var kv = new NatsKVContext(_js);
        var store = await kv.GetStoreAsync(ClusterSettings.BedsBucket, ct);
        await store.PutAsync(_settings.BedKey(bed), System.Text.Encoding.UTF8.GetBytes(bed), cancellationToken: ct);
        _registered[bed] = true;
    }

    private void Outage(Exception e)
    {
        string why = e.GetBaseException().Message;
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

    private sealed record Outgoing(string Bed, long Start, int Length, byte[] Payload);
}
