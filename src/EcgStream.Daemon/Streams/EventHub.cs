using System.Diagnostics;
using System.Threading.Channels;

namespace EcgStream.Daemon.Streams;

/// <summary>One message for event-stream clients: its SSE event name ("event" or "strip"), the bed it concerns and its JSON body (UTF-8).</summary>
public sealed record HubMessage(string Event, string Bed, byte[] Json);

/// <summary>
/// Fans messages out to event-stream clients (SSE, WebSocket). Each client has its own bounded
/// channel with <see cref="BoundedChannelFullMode.DropOldest"/>: <see cref="Publish"/> never waits,
/// so a client that stops reading loses its oldest messages (counted in <see cref="HubClient.Dropped"/>)
/// while the pipeline and the other clients go on at their pace. How long a client may stay behind is
/// the transport's decision (<see cref="HubClient.BehindFor"/>, <see cref="HubClient.MarkSlow"/>).
/// </summary>
public sealed class EventHub
{
    private readonly Lock _gate = new();
    private HubClient[] _clients = [];
    private long _published;
    private long _dropped;
    private long _slowClients;
    private bool _completed;

    public EventHub(int clientBuffer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clientBuffer, 1);
        ClientBuffer = clientBuffer;
    }

    public int ClientBuffer { get; }
    public long Published => Interlocked.Read(ref _published);
    /// <summary>Messages dropped across all clients, past and present.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Clients disconnected for falling behind (<see cref="HubClient.MarkSlow"/>), past and present.</summary>
    public long SlowClients => Interlocked.Read(ref _slowClients);
    public int ClientCount => Volatile.Read(ref _clients).Length;
    public IReadOnlyList<HubClient> Clients => Volatile.Read(ref _clients);

    /// <param name="filter">Messages this client wants (null: all); the others never take room in its buffer.</param>
    public HubClient Connect(string kind, Func<HubMessage, bool>? filter = null)
    {
        var client = new HubClient(this, kind, ClientBuffer, filter);
        lock (_gate)
        {
            if (_completed) client.Complete();
            else _clients = [.. _clients, client];
        }
        return client;
    }

    /// <summary>Offers <paramref name="message"/> to every client without waiting (copy-on-write client list: no lock here).</summary>
    public void Publish(HubMessage message)
    {
        Interlocked.Increment(ref _published);
        foreach (var c in Volatile.Read(ref _clients)) c.Offer(message);
    }

    /// <summary>Ends every client's stream (shutdown): they drain what they hold and close.</summary>
    public void Complete()
    {
        HubClient[] clients;
        lock (_gate)
        {
            _completed = true;
            clients = _clients;
        }
        foreach (var c in clients) c.Complete();
    }

    internal void Remove(HubClient client)
    {
        lock (_gate) _clients = _clients.Where(c => c != client).ToArray();
    }

    internal void CountDrop() => Interlocked.Increment(ref _dropped);
    internal void CountSlow() => Interlocked.Increment(ref _slowClients);
}

/// <summary>A connected event-stream client: read <see cref="Reader"/>; dispose when the connection ends.</summary>
public sealed class HubClient : IDisposable
{
    private readonly EventHub _hub;
    private readonly Channel<HubMessage> _channel;
    private readonly Func<HubMessage, bool>? _filter;
    private long _dropped;
    private long _delivered;
    // Stopwatch timestamp of the first message this client lost since its queue last drained to half its capacity; 0 while
    // it keeps up
    private long _behindSince;
    private readonly int _capacity;
    private int _slow;

    internal HubClient(EventHub hub, string kind, int capacity, Func<HubMessage, bool>? filter)
    {
        _hub = hub;
        _filter = filter;
        _capacity = capacity;
        Kind = kind;
        _channel = Channel.CreateBounded<HubMessage>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                hub.CountDrop();
                Interlocked.CompareExchange(ref _behindSince, Stopwatch.GetTimestamp(), 0);
            });
    }

    /// <summary>"sse" or "websocket".</summary>
    public string Kind { get; }
    public long Dropped => Interlocked.Read(ref _dropped);
    public long Delivered => Interlocked.Read(ref _delivered);
    public ChannelReader<HubMessage> Reader => _channel.Reader;

    /// <summary>
    /// How long this client has been behind: since its queue overflowed (it began losing messages) without having
    /// drained to half its capacity since. Null for a client that keeps up. Half, not empty: a client only a little faster
    /// than the beds empties a full queue slowly after one stall, but it drains, and it loses nothing more.
    /// </summary>
    public TimeSpan? BehindFor => Volatile.Read(ref _behindSince) is var since and not 0 ? Stopwatch.GetElapsedTime(since) : null;

    /// <summary>True once the transport has given this client up as too slow.</summary>
    public bool Slow => Volatile.Read(ref _slow) != 0;

    /// <summary>Called by the transport after it has written a message out.</summary>
    public void MarkDelivered()
    {
        Interlocked.Increment(ref _delivered);
        // catching up once the queue has drained to half (Count takes the channel's lock: only asked while behind)
        if (Volatile.Read(ref _behindSince) != 0 && _channel.Reader.Count <= _capacity / 2) Volatile.Write(ref _behindSince, 0);
    }

    /// <summary>Called by the transport when it disconnects this client for falling behind; counted once in <see cref="EventHub.SlowClients"/>.</summary>
    public void MarkSlow()
    {
        if (Interlocked.Exchange(ref _slow, 1) == 0) _hub.CountSlow();
    }

    internal void Offer(HubMessage m)
    {
        if (_filter is null || _filter(m)) _channel.Writer.TryWrite(m);
    }
    internal void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _hub.Remove(this);
    }
}
