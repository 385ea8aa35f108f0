using EcgStream.Core.Events;
using EcgStream.Runtime.Sinks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EcgStream.Cluster;

/// <summary>Where a new durable consumer of the <see cref="EventFeed"/> starts. An existing one always resumes after its last acknowledgement.</summary>
public enum FeedStart
{
    /// <summary>Every event the stream still holds (up to its retention, 7 days by default).</summary>
    All,
    /// <summary>Events stored after the consumer is created.</summary>
    New,
}

/// <summary>Settings of an <see cref="EventFeed"/>.</summary>
public sealed record EventFeedOptions
{
    /// <summary>
    /// The durable consumer's name on the <c>EVENTS</c> stream: the feed's position lives on the cluster under this name, so a
    /// restarted station resumes where it stopped. Each station needs its own (two stations sharing one split the events).
    /// </summary>
    public string Consumer { get; init; } = "central";
    public FeedStart Start { get; init; } = FeedStart.New;
    /// <summary>
    /// How long the cluster waits for an acknowledgement before delivering a message again. Messages an earlier run had
    /// fetched but not handled when it stopped do not wait for it: the restarted station gets them first (see AttachAsync).
    /// </summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Event ids remembered for de-duplication (the oldest are forgotten first).</summary>
    public int RememberIds { get; init; } = 65_536;
    /// <summary>
    /// At start, the ids of events stored this long ago or later, up to the consumer's acknowledgement floor (delivered
    /// by an earlier run), are read back into the remembered ids, so that de-duplication holds across a restart.
    /// </summary>
    public TimeSpan SeedWindow { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The central station's side of the events stream: a durable, explicitly acknowledged pull consumer on
/// <c>events.&lt;site&gt;.&gt;</c> that hands each event to <c>deliver</c> once, in stream order, then acknowledges it.
/// <para>Exactly once: an event is acknowledged (and the acknowledgement confirmed by the server) only after
/// <c>deliver</c> returned, so a stop or a lost connection never loses one; a message delivered again (the
/// acknowledgement was lost, or the ack wait passed) and an event a worker published twice outside JetStream's
/// de-duplication window (a takeover long after the first publish) carry an event id already seen
/// (<see cref="EventIds"/>, computed from the event itself) and are acknowledged without being delivered. The ids
/// are remembered in memory, filled at start from the events the previous run acknowledged (read back from the stream)
/// and from what the caller says its sinks already hold (<see cref="AlreadyDelivered"/>): after a crash between
/// <c>deliver</c> and the acknowledgement, that event comes again and is recognised, if a sink kept it.</para>
/// </summary>
public sealed class EventFeed : IAsyncDisposable
{
    private readonly ClusterSettings _settings;
    private readonly EventFeedOptions _options;
    private readonly Action<string> _log;
    private readonly NatsConnection _nats;
    private readonly NatsJSContext _js;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private long _received, _delivered, _duplicates, _malformed;
    private long _lastStoredUnixMs;
    private volatile bool _connected;
    private bool _seeded; // the previous run's ids have been read back from the stream (once per process)
    private readonly HashSet<string> _readEarly = new(StringComparer.Ordinal); // ids read from the stream at attach, whose redelivery is still to come
    /// <summary>The most stream sequences read at attach for messages delivered and not acknowledged (<see cref="DeliverPendingAsync"/>).</summary>
    public const int MaxPendingRange = 4096;

    public EventFeed(ClusterSettings settings, EventFeedOptions? options = null, Action<string>? log = null)
    {
        settings.Validate();
        _options = options ?? new EventFeedOptions();
        ClusterSettings.CheckToken("consumer", _options.Consumer);
        if (_options.RememberIds < 1) throw new ClusterConfigException($"feed: remembered ids {_options.RememberIds}: at least 1");
        _settings = settings;
        _log = log ?? (_ => { });
        _nats = new NatsConnection(settings.ClientOptions($"ecgstream-central-{_options.Consumer}"));
        _js = new NatsJSContext(_nats);
    }

    /// <summary>Messages taken from the stream (delivered, duplicates and malformed together).</summary>
    public long Received => Interlocked.Read(ref _received);
    /// <summary>Events handed to the sinks.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);
    /// <summary>Messages whose event id had been delivered already: acknowledged, not delivered again.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);
    /// <summary>Messages that are not an event (logged, acknowledged, skipped).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);
    /// <summary>True while the consumer is attached and reading.</summary>
    // the consumer loop survives a disconnect without an exception (review, session 21: nats-server down 20 s, health "ok",
    // connected true throughout): attached is not enough, the connection must be up too
    public bool Connected => _connected && _nats.ConnectionState == NatsConnectionState.Open;
    /// <summary>When the newest message read was stored in the stream; null before the first.</summary>
    public DateTimeOffset? LastStored => Interlocked.Read(ref _lastStoredUnixMs) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    public string Subject => $"events.{_settings.Site}.>";

    /// <summary>
    /// Reads until <paramref name="ct"/> is cancelled; an unreachable cluster or a lost consumer is retried (one log line per
    /// outage), never fatal. <paramref name="deliver"/> runs on one task at a time and must not throw (a sink's failure is
    /// the sink's to report): an exception from it ends the feed with the event unacknowledged.
    /// </summary>
    public async Task RunAsync(Action<RhythmEvent> deliver, CancellationToken ct)
    {
        string? failing = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _nats.ConnectAsync();
                await JetStreamSetup.EnsureWithRetryAsync(_js, _settings, TimeSpan.FromSeconds(30), ct, createOnly: true);
                var (consumer, ackFloor, pendingUpTo, pending) = await AttachAsync(ct);
                if (!_seeded) await SeedAsync(ackFloor, ct);
                _seeded = true;
                if (pendingUpTo > ackFloor) await DeliverPendingAsync(ackFloor + 1, pendingUpTo, pending, deliver, ct);
                _connected = true;
                if (failing is not null) _log($"central: reading {Subject} again (consumer {_options.Consumer})");
                else _log($"central: reading {Subject} with durable consumer {_options.Consumer} on {_nats.ServerInfo?.Name ?? "the cluster"}");
                failing = null;
                await ConsumeAsync(consumer, deliver, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException)
            {
                string why = _settings.DescribeFailure(e);
                if (failing != why) _log($"central: reading the events stream failed ({why}); retrying");
                failing = why;
            }
            finally { _connected = false; }
            try { await Task.Delay(1000, ct); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>
    /// The durable consumer: the existing one (its position is the point), or a new one starting per <see cref="EventFeedOptions.Start"/>;
    /// with it the stream sequence of its acknowledgement floor and, when it holds messages delivered and never
    /// acknowledged, the last stream sequence it delivered (else 0). Those messages (an earlier run stopped or crashed with
    /// them in hand, or the server gave them to its last pull request on its way out) would come again only after the
    /// ack wait, behind the events stored after them — a bed's offset before its onset — so <see cref="RunAsync"/> reads
    /// them from the stream first (<see cref="DeliverPendingAsync"/>). The consumer itself is never deleted: its position
    /// is the station's record of what it has handled, and losing it to a crash would skip events.
    /// </summary>
    private async Task<(INatsJSConsumer Consumer, ulong AckFloor, ulong PendingUpTo, long Pending)> AttachAsync(CancellationToken ct)
    {
        try
        {
            var existing = await _js.GetConsumerAsync(ClusterSettings.EventStream, _options.Consumer, ct);
            ulong floor = existing.Info.AckFloor?.StreamSeq ?? 0;
            return (existing, floor, existing.Info.NumAckPending > 0 ? existing.Info.Delivered?.StreamSeq ?? 0 : 0, existing.Info.NumAckPending);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404) { }
        var consumer = await _js.CreateOrUpdateConsumerAsync(ClusterSettings.EventStream, new ConsumerConfig(_options.Consumer)
        {
            // one subject filter (nats-server 2.9 reads filter_subject, not the 2.10 list)
            FilterSubject = Subject,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.AckWait,
            DeliverPolicy = _options.Start == FeedStart.All ? ConsumerConfigDeliverPolicy.All : ConsumerConfigDeliverPolicy.New,
            MaxAckPending = 1024,
        }, ct);
        return (consumer, consumer.Info.AckFloor?.StreamSeq ?? 0, 0, 0);
    }

    /// <summary>
    /// Delivers the station's events stored at stream sequences <paramref name="from"/>…<paramref name="to"/> — the consumer's
    /// delivered but unacknowledged ones — read from the stream itself, in order, before the consumer's next message. Only
    /// when every one of this station's messages in that range is unacknowledged (their count is the consumer's
    /// <paramref name="pending"/>; acknowledgements are sent in order, so this is the usual case): were some acknowledged
    /// already (a second restart within the ack wait, or a lost acknowledgement), reading the range would deliver them
    /// again, and the feed leaves the pending ones to the consumer's redelivery after the ack wait instead. The range is
    /// read only up to <see cref="MaxPendingRange"/> sequences (other sites' messages share the stream). An event a sink
    /// already has is recognised by its id; the consumer's own redelivery of one read here is acknowledged and not counted
    /// as a duplicate.
    /// </summary>
    private async Task DeliverPendingAsync(ulong from, ulong to, long pending, Action<RhythmEvent> deliver, CancellationToken ct)
    {
        if (to - from + 1 > MaxPendingRange)
        {
            _log($"central: {pending} message(s) delivered before and not acknowledged lie within stream sequences {from}–{to}, more than {MaxPendingRange}: they come again after the ack wait");
            return;
        }
        var stream = await _js.GetStreamAsync(ClusterSettings.EventStream, cancellationToken: ct);
        string prefix = Subject[..^1];          // "events.<site>." of "events.<site>.>"
        var mine = new List<byte[]>();
        for (ulong seq = from; seq <= to; seq++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var got = await stream.GetAsync(new StreamMsgGetRequest { Seq = seq }, ct);
                if (got.Message.Subject.StartsWith(prefix, StringComparison.Ordinal)) mine.Add(got.Message.Data.ToArray());
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404) { }     // removed from the stream
        }
        if (mine.Count != pending)
        {
            _log($"central: {pending} of this station's {mine.Count} message(s) in stream sequences {from}–{to} are not acknowledged; the others were: the {pending} come again after the ack wait");
            return;
        }
        int delivered = 0;
        foreach (var data in mine)
        {
            if (!EventJson.TryRead(data, out var e, out _)) continue;   // the consumer's redelivery counts and logs it
            string id = EventIds.Of(e);
            if (_seen.Contains(id)) continue;          // a sink has it: its redelivery counts as a duplicate, as any
            deliver(e);
            Remember(id);
            _readEarly.Add(id);                        // only once delivered: a throwing sink leaves it to the redelivery
            Interlocked.Increment(ref _delivered);
            delivered++;
        }
        _log($"central: {pending} message(s) delivered before and not acknowledged (stream sequence {from}–{to}) read again from the stream, first, in order ({delivered} new to the sinks)");
    }

    /// <summary>Remembers the ids of the events an earlier run delivered (stream sequence up to <paramref name="ackFloor"/>) within the seed window.</summary>
    private async Task SeedAsync(ulong ackFloor, CancellationToken ct)
    {
        if (ackFloor == 0) return;
        // nothing stored within the window: no reader to start (it would wait out its stall timeouts to find nothing)
        var since = DateTimeOffset.UtcNow - _options.SeedWindow;
        var info = await _js.GetStreamAsync(ClusterSettings.EventStream, cancellationToken: ct);
        if (DateTimeOffset.TryParse(info.Info.State.LastTs, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var last)
            && last < since) return;
        int seeded = 0;
        await foreach (var m in SubjectReader.ReadAsync(_js, ClusterSettings.EventStream, Subject, since,
            TimeSpan.FromSeconds(2), stopWhenCaughtUp: true, ct: ct))
        {
            if (m.Sequence > ackFloor) break;
            if (EventJson.TryRead(m.Data, out var e, out _)) { Remember(EventIds.Of(e)); seeded++; }
        }
        if (seeded > 0) _log($"central: {seeded} event id(s) delivered by the previous run remembered (stream sequence ≤ {ackFloor})");
    }

    private async Task ConsumeAsync(INatsJSConsumer consumer, Action<RhythmEvent> deliver, CancellationToken ct)
    {
        // a small batch: what is fetched but not handled at a stop is read again from the stream by the next attach, first
        var opts = new NatsJSConsumeOpts { MaxMsgs = 32, Expires = TimeSpan.FromSeconds(5) };
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: opts, cancellationToken: ct))
        {
            if (ct.IsCancellationRequested) break; // not delivered, not acknowledged: the next run gets it
            Interlocked.Increment(ref _received);
            if (msg.Metadata is { } meta) Interlocked.Exchange(ref _lastStoredUnixMs, meta.Timestamp.ToUnixTimeMilliseconds());
            if (!EventJson.TryRead(msg.Data ?? [], out var e, out var problem))
            {
                Interlocked.Increment(ref _malformed);
                _log($"central: message {msg.Metadata?.Sequence.Stream} on {msg.Subject} skipped: {problem}");
            }
            else if (_readEarly.Remove(EventIds.Of(e))) { }      // read from the stream at attach (DeliverPendingAsync): its redelivery, acknowledged below
            else if (_seen.Contains(EventIds.Of(e))) Interlocked.Increment(ref _duplicates);
            else
            {
                deliver(e);
                Remember(EventIds.Of(e));
                Interlocked.Increment(ref _delivered);
            }
            // confirmed by the server (double ack), and not cancelled by a stop: the event is handled, its ack must land
            using var ackTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await msg.AckAsync(new AckOpts { DoubleAck = true }, ackTimeout.Token);
        }
    }

    /// <summary>
    /// Before <see cref="RunAsync"/>: an event the sinks already hold (the daemon reads back the tail of its JSON-lines file),
    /// so that one the previous run wrote but could not acknowledge before a crash is not delivered twice.
    /// </summary>
    public void AlreadyDelivered(RhythmEvent e) => Remember(EventIds.Of(e));

    /// <summary>Remembers a delivered event's id; beyond <see cref="EventFeedOptions.RememberIds"/> the oldest is forgotten.</summary>
    private void Remember(string id)
    {
        if (!_seen.Add(id)) return;
        _seenOrder.Enqueue(id);
        if (_seenOrder.Count > _options.RememberIds) _seen.Remove(_seenOrder.Dequeue());
    }

    public ValueTask DisposeAsync() => _nats.DisposeAsync();
}
