using System.Diagnostics;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

/// <summary>
/// The ownership rule (docs/scale-out.md, "Failover without loss or double analysis"): a bed is dropped only when ownership is
/// actually lost (another worker's lease, or a fenced progress write refused), never because the lease store did not answer.
/// </summary>
public sealed class OwnershipTests(ITestOutputHelper output)
{
    /// <summary>
    /// The cluster loses its quorum (two of three nodes killed) for twice the lease TTL: no lease can be renewed and every
    /// lease lapses. Before, each worker dropped its beds and warmed them again afterwards; now each keeps them, takes its
    /// leases again when the store answers, and no bed changes owner.
    /// </summary>
    [NatsFact]
    public async Task A_worker_whose_lease_store_does_not_answer_keeps_its_beds()
    {
        await using var h = await Harness.StartAsync(output, nodes: 3, beds: 8, workers: 2);
        var before = await h.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2)); // some work stored before the outage
        var outage = Stopwatch.StartNew();
        h.Cluster.Kill(1);
        h.Cluster.Kill(2);
        h.Log("test: nodes n2 and n3 killed (no quorum)");
        await Task.Delay(h.Settings.LeaseTtl * 2);
        await h.Cluster.RestartAsync(1);
        await h.Cluster.RestartAsync(2);
        h.Log($"test: nodes restarted after {outage.Elapsed.TotalSeconds:F1} s");
        // the store answers again once the Raft groups have elected leaders (4-9 s in nats-server 2.9); then some more work
        await Task.Delay(TimeSpan.FromSeconds(20));
        foreach (var (w, _, _) in h.Workers)
        {
            Assert.Equal(0, w.BedsLost);
            Assert.Equal(before[w.Id], w.Beds.ToHashSet());
        }
        var contents = await h.FinishAsync(TimeSpan.FromSeconds(30));
        foreach (var (bed, end) in h.Gateway.PublishedEnd)
        {
            var (analysed, twice, holes) = contents.Coverage(bed, end);
            Assert.True(analysed == end && twice == 0 && holes == 0, $"bed {bed}: published {end}, analysed {analysed}, twice {twice}, holes {holes}");
            // one owner for the whole run: nobody claimed the bed while its leases had lapsed
            Assert.Single(contents.Progress.Where(p => p.Bed == bed).Select(p => p.Record.Worker).Distinct());
        }
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => e.Id).Distinct().Count());
    }

    /// <summary>
    /// Another owner's claim record lands on a bed a live worker holds (its lease renewed all along): the worker's next checkpoint
    /// is refused and it drops the bed: no checkpoint of its own for the bed is stored after the claim, and no event after the
    /// drop, until it claims the bed again itself (the intruder writes nothing more, so the bed is free after a TTL).
    /// </summary>
    [NatsFact]
    public async Task A_bed_claimed_by_another_owner_is_dropped_and_publishes_nothing_more()
    {
        await using var h = await Harness.StartAsync(output, nodes: 1, beds: 3, workers: 1);
        var worker = h.Workers[0].Worker;
        await h.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few checkpoints of the worker's own
        string bed = worker.Beds.Order().First();
        await using var nats = await h.ConnectAsync();
        var js = new NatsJSContext(nats);
        var stream = await js.GetStreamAsync(ClusterSettings.ProgressStream);
        // write a claim on top of the worker's last record (retried if one of its checkpoints lands in between)
        DateTimeOffset claimedAt = default;
        for (int attempt = 0; claimedAt == default; attempt++)
        {
            Assert.True(attempt < 20, "the claim record was refused 20 times");
            var last = (await stream.GetAsync(new StreamMsgGetRequest { LastBySubj = h.Settings.ProgressSubject(bed) })).Message;
            var record = ProgressRecord.Parse(last.Data.Span)!;
            var claim = new ProgressRecord("intruder", record.To, record.To, record.SampleRate, record.LastMessageUtc);
            try
            {
                var ack = await js.PublishAsync(h.Settings.ProgressSubject(bed), claim.ToBytes(), opts: new NatsJSPubOpts { ExpectedLastSubjectSequence = last.Seq });
                ack.EnsureSuccess();
                claimedAt = DateTimeOffset.UtcNow;
            }
            catch (NatsJSApiException e) when (e.Error.ErrCode == 10071) { }
        }
        h.Log($"test: bed {bed} claimed by 'intruder'");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (worker.BedsLost == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        var droppedBy = DateTimeOffset.UtcNow;
        Assert.Equal(1, worker.BedsLost);
        Assert.DoesNotContain(bed, worker.Beds);
        await Task.Delay(TimeSpan.FromSeconds(10)); // past the TTL: the worker claims the bed again from the intruder's record
        var contents = await h.FinishAsync(TimeSpan.FromSeconds(30));

        var records = contents.Progress.Where(p => p.Bed == bed).ToList();
        int intruder = records.FindIndex(p => p.Record.Worker == "intruder");
        Assert.True(intruder > 0, "the intruder's claim is in the chain");
        // after the claim the next record is the worker's new claim (it dropped the bed and took it again), not a checkpoint of the old run
        var next = records[intruder + 1];
        Assert.True(next.Record.IsClaim && next.Record.Worker == worker.Id, $"record after the intruder's claim: {next.Record}");
        var retaken = next.Stored;
        // between the claim and the drop (at most one checkpoint interval) it may still publish events past its last checkpoint,
        // which the next owner computes again under the same ids; after the drop, nothing
        Assert.DoesNotContain(contents.Events, e => e.Bed == bed && e.Stored > droppedBy && e.Stored < retaken);
        // and nothing was lost or analysed twice across the two runs of the bed
        foreach (var (b, end) in h.Gateway.PublishedEnd)
        {
            var (analysed, twice, holes) = contents.Coverage(b, end);
            Assert.True(analysed == end && twice == 0 && holes == 0, $"bed {b}: published {end}, analysed {analysed}, twice {twice}, holes {holes}");
        }
    }
}
