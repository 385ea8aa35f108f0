using System.Runtime.CompilerServices;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EcgStream.Cluster;

/// <summary>A message read from a stream: its stream sequence and server timestamp with it.</summary>
public readonly record struct StreamMessage(string Subject, byte[] Data, NatsHeaders? Headers, ulong Sequence, DateTimeOffset Stored, ulong Pending);

/// <summary>
/// Reads one subject of a stream in order, without gaps or repeats, across node losses: an in-memory, unacknowledged
/// consumer filtered on the subject (<c>filter_subject</c>, which nats-server 2.9 understands — the client's ordered
/// consumer sends the 2.10 <c>filter_subjects</c> list, which 2.9 ignores). When the consumer stops delivering (its node
/// died, it was deleted) it is recreated from the sequence after the last message read. A consumer nobody pulls from is
/// removed by the server after <see cref="InactiveThreshold"/>.
/// <para>While no consumer can be created — nats-server 2.9 creates consumers through the cluster's metadata leader, and
/// after the loss of the node that held it the cluster has none for 4-9 s — the reader goes on by JetStream direct gets
/// (<c>$JS.API.DIRECT.GET</c>, next message of the subject from a sequence on), which any replica of the stream answers,
/// and tries a consumer again after each spell of them. Before this, every bed whose consumer had to be recreated, and
/// every takeover's warm-up, waited for the metadata election.</para>
/// </summary>
public static class SubjectReader
{
    public static readonly TimeSpan InactiveThreshold = TimeSpan.FromSeconds(30);
    /// <summary>How long a consumer's creation may take before it is tried again (on loopback it takes milliseconds).</summary>
    public static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(1.5);
    // When a consumer's creation last failed in this process (Stopwatch ticks): for a moment after, a new reader starts with
    // direct gets rather than wait out a creation of its own (the metadata leader every creation needs is the cluster's).
    private static long s_lastCreateFailure;
    /// <summary>How long the reader goes on by direct gets before it tries a consumer again.</summary>
    public static readonly TimeSpan DirectSpell = TimeSpan.FromSeconds(2);
    /// <summary>Time given to one direct get (a healthy replica answers in a millisecond).</summary>
    public static readonly TimeSpan DirectTimeout = TimeSpan.FromMilliseconds(500);

    /// <param name="startTime">First message stored at or after this time; null: from the first message.</param>
    /// <param name="stall">No message for this long while the reader waits: the consumer is recreated (a subject that is quiet is recreated harmlessly).</param>
    /// <param name="stopWhenCaughtUp">End once the last message present is read (an audit), instead of following the subject.</param>
    public static async IAsyncEnumerable<StreamMessage> ReadAsync(INatsJSContext js, string stream, string subject, DateTimeOffset? startTime,
        TimeSpan stall, bool stopWhenCaughtUp, Action<string>? log = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ulong next = 0; // stream sequence to resume at; 0 before the first message
        int generation = 0, failures = 0;
        while (!ct.IsCancellationRequested)
        {
            var config = new ConsumerConfig
            {
                Name = $"rd_{Guid.NewGuid():N}",
                FilterSubject = subject,
                AckPolicy = ConsumerConfigAckPolicy.None,
                MemStorage = true,
                NumReplicas = 1,
                InactiveThreshold = InactiveThreshold,
                DeliverPolicy = next > 0 ? ConsumerConfigDeliverPolicy.ByStartSequence
                    : startTime is null ? ConsumerConfigDeliverPolicy.All : ConsumerConfigDeliverPolicy.ByStartTime,
            };
            if (next > 0) config.OptStartSeq = next;
            else if (startTime is { } t) config.OptStartTime = t;
            INatsJSConsumer? consumer = null;
            // A consumer is created within CreateTimeout or not at all: after a node loss nats-server 2.9 may place it on the
            // dead node, whose answer then never comes; the next try is placed afresh.
            long failedAt = Interlocked.Read(ref s_lastCreateFailure);
            if (failedAt != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(failedAt) < DirectSpell) failures++; // another reader's just failed
            else
            {
                using var create = CancellationTokenSource.CreateLinkedTokenSource(ct);
                create.CancelAfter(CreateTimeout);
                try { consumer = await js.CreateOrUpdateConsumerAsync(stream, config, create.Token); }
                catch (Exception x) when (x is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    _ = DeleteQuietly(js, stream, config.Name!);
                    Interlocked.Exchange(ref s_lastCreateFailure, System.Diagnostics.Stopwatch.GetTimestamp());
                    failures++;
                }
            }
            if (failures > 0)
            {
                // no consumer: a spell of direct gets, then a consumer again
                if (next == 0) next = await StartSequenceAsync(js.Connection, stream, subject, startTime, ct);
                var spell = System.Diagnostics.Stopwatch.StartNew();
                bool caughtUp = false, said = false;
                while (next > 0 && spell.Elapsed < DirectSpell && !ct.IsCancellationRequested)
                {
                    var (got, answered) = await DirectNextAsync(js.Connection, stream, subject, next, ct);
                    if (got is not { } m) { caughtUp |= answered; await Task.Delay(100, ct); continue; }
                    if (!said) { log?.Invoke($"reader {subject}: no consumer can be created; reading by direct gets from sequence {next}"); said = true; }
                    next = m.Sequence + 1;
                    yield return m;
                }
                if (stopWhenCaughtUp && caughtUp) yield break;
                failures = 0;
                await Task.Delay(50, ct);
                continue;
            }
            if (consumer is null) continue;
            if (generation++ > 0) log?.Invoke($"reader {subject}: consumer recreated from sequence {next}");
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(ct);
            watchdog.CancelAfter(stall);
            var e = consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 256, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: watchdog.Token)
                .GetAsyncEnumerator(watchdog.Token);
            bool done = false;
            ulong delivered = 0; // the consumer's sequence of the last message received
            try
            {
                while (true)
                {
                    bool more;
                    try { more = await e.MoveNextAsync(); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested) { break; }          // stalled
                    catch (Exception x) when (x is NatsException && !ct.IsCancellationRequested) { break; } // consumer or node gone
                    if (!more) break;
                    var m = e.Current;
                    var meta = m.Metadata;
                    // Unacknowledged delivery: messages the server sent while the connection moved to another node are gone
                    // for this consumer, which carries on after them. A jump of its own sequence says so; a new consumer
                    // resumes after the last message received (a run lost 4 such spans as GAPs before this check).
                    if (meta is { } md)
                    {
                        if (md.Sequence.Consumer != delivered + 1)
                        {
                            log?.Invoke($"reader {subject}: consumer skipped from {delivered} to {md.Sequence.Consumer}; recreating");
                            break;
                        }
                        delivered = md.Sequence.Consumer;
                    }
                    ulong seq = meta?.Sequence.Stream ?? 0;
                    if (seq > 0 && seq < next) continue; // never repeat across a recreation
                    if (seq > 0) next = seq + 1;
                    yield return new StreamMessage(m.Subject, m.Data ?? [], m.Headers, seq, meta?.Timestamp ?? default, meta?.NumPending ?? 0);
                    watchdog.CancelAfter(stall);
                    if (stopWhenCaughtUp && meta?.NumPending == 0) { done = true; break; }
                }
            }
            finally
            {
                await e.DisposeAsync();
                _ = DeleteQuietly(js, stream, config.Name!);
            }
            if (done) yield break;
            if (stopWhenCaughtUp && generation > 1 && next == 0) yield break; // nothing to read on this subject
        }
    }

    /// <summary>
    /// The subject's next message at or after stream sequence <paramref name="from"/>, by a direct get (any replica answers);
    /// null when there is none yet (<c>Answered</c>), or no replica answered.
    /// </summary>
    internal static Task<(StreamMessage? Message, bool Answered)> DirectNextAsync(INatsConnection nats, string stream, string subject, ulong from, CancellationToken ct) =>
        DirectGetAsync(nats, stream, $"{{\"seq\":{from},\"next_by_subj\":\"{subject}\"}}", subject, ct);

    /// <summary>
    /// One JetStream direct get (<c>$JS.API.DIRECT.GET.&lt;stream&gt;</c> with the JSON <paramref name="request"/>), answered by
    /// any replica, within <see cref="DirectTimeout"/>: the message, or null when the stream has none (<c>Answered</c>) or
    /// no replica answered in time.
    /// </summary>
    internal static async Task<(StreamMessage? Message, bool Answered)> DirectGetAsync(INatsConnection nats, string stream, string request, string subject, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(DirectTimeout);
        NatsMsg<byte[]> reply;
        try { reply = await nats.RequestAsync<byte[], byte[]>($"$JS.API.DIRECT.GET.{stream}", System.Text.Encoding.UTF8.GetBytes(request), cancellationToken: bounded.Token); }
        catch (Exception x) when (x is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested) { return (null, false); }
        var h = reply.Headers;
        if (h is { Code: 404 }) return (null, true);
        if (h is null || h.Code is >= 300 || !h.TryGetValue("Nats-Sequence", out var seq) || !ulong.TryParse(seq.ToString(), out var sequence)) return (null, false);
        var stored = h.TryGetValue("Nats-Time-Stamp", out var time) && DateTimeOffset.TryParse(time.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : default;
        return (new StreamMessage(subject, reply.Data ?? [], h, sequence, stored, 0), true);
    }

    /// <summary>
    /// The stream sequence to start at without a consumer: the subject's first message stored at or after
    /// <paramref name="startTime"/> (a binary search over sequences by direct gets; nats-server 2.9's direct get has no
    /// start time), or its first message. 0 when no replica answered.
    /// </summary>
    internal static async Task<ulong> StartSequenceAsync(INatsConnection nats, string stream, string subject, DateTimeOffset? startTime, CancellationToken ct)
    {
        if ((await DirectNextAsync(nats, stream, subject, 1, ct)).Message is not { } first) return 0;
        if (startTime is not { } start || first.Stored >= start) return first.Sequence;
        ulong lo = first.Sequence + 1, hi = ulong.MaxValue / 2; // the answer lies in [lo, hi]; hi: past every message
        while (lo < hi)
        {
            ulong mid = lo + (hi - lo) / 2;
            var m = (await DirectNextAsync(nats, stream, subject, mid, ct)).Message;
            if (m is null) hi = mid;                                            // nothing at or after mid (or no answer: start earlier, never later)
            else if (m.Value.Stored >= start) hi = Math.Min(mid, m.Value.Sequence);
            else lo = m.Value.Sequence + 1;
        }
        return lo;
    }

    private static async Task DeleteQuietly(INatsJSContext js, string stream, string name)
    {
        try { await js.DeleteConsumerAsync(stream, name); }
        catch (Exception x) when (x is NatsException or TimeoutException) { } // it lapses after the inactive threshold anyway
    }
}
