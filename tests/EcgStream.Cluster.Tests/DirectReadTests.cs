using NATS.Client.JetStream;

namespace EcgStream.Cluster.Tests;

/// <summary>
/// The reader's path without a consumer (direct gets, for while the cluster has no metadata leader) must read exactly
/// what a consumer reads: the same messages of the subject, in order, from the same start.
/// </summary>
public sealed class DirectReadTests
{
    [NatsFact]
    public async Task Direct_gets_read_the_subject_as_a_consumer_does_from_a_start_time()
    {
        await using var cluster = await LoopbackNatsCluster.StartAsync(1);
        var settings = cluster.Settings();
        await using var nats = new NATS.Client.Core.NatsConnection(settings.ClientOptions("ecgstream-test"));
        await nats.ConnectAsync();
        var js = new NatsJSContext(nats);
        await JetStreamSetup.EnsureWithRetryAsync(js, settings, TimeSpan.FromSeconds(30));
        string a = settings.SampleSubject("bedA"), b = settings.SampleSubject("bedB");
        // two subjects interleaved, unevenly, over ~0.6 s, so that sequences and times both spread
        for (int i = 0; i < 60; i++)
        {
            await js.PublishAsync(a, new byte[] { (byte)i });
            if (i % 3 == 0) await js.PublishAsync(b, new byte[] { (byte)i });
            if (i % 10 == 0) await Task.Delay(50);
        }
        var all = new List<StreamMessage>();
        await foreach (var m in SubjectReader.ReadAsync(js, ClusterSettings.SampleStream, a, null, TimeSpan.FromSeconds(3), true)) all.Add(m);
        Assert.Equal(60, all.Count);

        foreach (int k in new[] { 0, 1, 17, 41, 59 })
        {
            var start = all[k].Stored;
            var byConsumer = new List<ulong>();
            await foreach (var m in SubjectReader.ReadAsync(js, ClusterSettings.SampleStream, a, start, TimeSpan.FromSeconds(3), true)) byConsumer.Add(m.Sequence);
            var byDirect = new List<ulong>();
            ulong next = await SubjectReader.StartSequenceAsync(nats, ClusterSettings.SampleStream, a, start, default);
            while ((await SubjectReader.DirectNextAsync(nats, ClusterSettings.SampleStream, a, next, default)).Message is { } m)
            {
                Assert.Equal(a, m.Subject);
                byDirect.Add(m.Sequence);
                next = m.Sequence + 1;
            }
            // The consumer is the reference away from the start's own millisecond: its start time goes to the server as the
            // client serialises it, and a message stored in that millisecond fell on the other side once in CI (at k = 0 the
            // consumer began at the third message). What the direct reader must read is the next assertion, exactly.
            var boundary = start.AddMilliseconds(1);
            var storedAt = all.ToDictionary(m => m.Sequence, m => m.Stored);
            Assert.Equal(byConsumer.Where(q => storedAt[q] > boundary), byDirect.Where(q => storedAt[q] > boundary));
            // the messages stored at or after the time (the client reads times to the millisecond, so a few before the k-th
            // message may share its millisecond and are read too, by either way)
            Assert.Equal(all.Where(m => m.Stored >= start).Select(m => m.Sequence), byDirect);
            Assert.Equal(all[k].Sequence, byDirect.SkipWhile(q => q < all[k].Sequence).First());
        }
        // a subject with nothing on it: no start, nothing read
        Assert.Equal(0UL, await SubjectReader.StartSequenceAsync(nats, ClusterSettings.SampleStream, settings.SampleSubject("bedC"), null, default));
    }
}
