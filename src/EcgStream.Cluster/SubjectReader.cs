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
/// </summary>
public static class SubjectReader
{
    public static readonly TimeSpan InactiveThreshold = TimeSpan.FromSeconds(30);
    /// <summary>How long a consumer's creation may take before it is tried again (on loopback it takes milliseconds).</summary>
    public static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(1.5);

    /// <param name="startTime">First message stored at or after this time; null: from the first message.</param>
    /// <param name="stall">No message for this long while the reader waits: the consumer is recreated (a subject that is quiet is recreated harmlessly).</param>
    /// <param name="stopWhenCaughtUp">End once the last message present is read (an audit), instead of following the subject.</param>
    public static async IAsyncEnumerable<StreamMessage> ReadAsync(INatsJSContext js, string stream, string subject, DateTimeOffset? startTime,
        TimeSpan stall, bool stopWhenCaughtUp, Action<string>? log = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ulong next = 0; // stream sequence to resume at; 0 before the first message
        int generation = 0;
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
            INatsJSConsumer consumer;
            // A consumer is created within CreateTimeout or not at all: after a node loss nats-server 2.9 may place it on the
            // dead node, whose answer then never comes; the next try is placed afresh.
            using (var create = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                create.CancelAfter(CreateTimeout);
                try { consumer = await js.CreateOrUpdateConsumerAsync(stream, config, create.Token); }
                catch (Exception x) when (x is NatsException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    _ = DeleteQuietly(js, stream, config.Name!);
                    await Task.Delay(100, ct);
                    continue;
                }
            }
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

    private static async Task DeleteQuietly(INatsJSContext js, string stream, string name)
    {
        try { await js.DeleteConsumerAsync(stream, name); }
        catch (Exception x) when (x is NatsException or TimeoutException) { } // it lapses after the inactive threshold anyway
    }
}
