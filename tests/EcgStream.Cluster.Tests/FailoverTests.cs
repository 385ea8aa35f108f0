using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

public sealed class FailoverTests(ITestOutputHelper output)
{
    [NatsFact]
    public async Task Worker_crash_and_node_loss_lose_no_sample_and_analyse_none_twice()
    {
        await using var h = await Harness.StartAsync(output, nodes: 3, beds: 8, workers: 3);
        await h.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var victim = h.Workers[0].Worker;
        var moved = victim.Beds.ToList();
        Assert.NotEmpty(moved);
        await victim.AbortAsync();
        h.Cluster.Kill(2);
        await Task.Delay(TimeSpan.FromSeconds(6));
        await h.Cluster.RestartAsync(2);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var contents = await h.FinishAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, h.Gateway.SamplesDropped);
        foreach (var (bed, end) in h.Gateway.PublishedEnd)
        {
            var (analysed, twice, holes) = contents.Coverage(bed, end);
            Assert.True(analysed == end && twice == 0 && holes == 0, $"bed {bed}: published {end}, analysed {analysed}, twice {twice}, holes {holes}");
        }
        // each worker analysed its own beds' samples only: new work adds up to what was published, plus what the
        // workers analysed after their last checkpoints before the crash and the node loss (redone by the next owner)
        long published = h.Gateway.PublishedEnd.Values.Sum();
        long fresh = h.Workers.Sum(w => w.Worker.SamplesAnalysed);
        Assert.InRange(fresh, published, published * 3 / 2);
        // the victim's beds were checkpointed by another worker after the crash
        foreach (var bed in moved)
            Assert.Contains(contents.Progress, p => p.Bed == bed && p.Record.Worker != victim.Id);
        // every stored event id is unique: the stream kept one copy of each
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => e.Id).Distinct().Count());
        Assert.NotEmpty(contents.Events);
    }
}

public sealed class StallTests(ITestOutputHelper output)
{
    /// <summary>
    /// A worker that stalls past its lease (the in-process stand-in for `kill -STOP`; `ecgstream cluster-demo --stall-worker 30`
    /// does it to a real process) loses its beds to the others and, when it runs again, neither publishes for them nor
    /// checkpoints them: no sample is analysed twice and no event is stored twice.
    /// </summary>
    [NatsFact]
    public async Task A_stalled_worker_gives_its_beds_up_and_publishes_nothing_for_them_when_it_resumes()
    {
        await using var h = await Harness.StartAsync(output, nodes: 3, beds: 8, workers: 2);
        await h.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var stalled = h.Workers[1].Worker;
        var held = stalled.Beds.ToList();
        Assert.NotEmpty(held);
        await stalled.FreezeAsync(TimeSpan.FromSeconds(8)); // lease TTL in the harness: 3 s
        // on resuming, its own clock tells it the leases lapsed: it drops every bed it held before touching them
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (stalled.BedsLost < held.Count && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(held.Count, stalled.BedsLost);
        await Task.Delay(TimeSpan.FromSeconds(8));
        var contents = await h.FinishAsync(TimeSpan.FromSeconds(30));

        foreach (var (bed, end) in h.Gateway.PublishedEnd)
        {
            var (analysed, twice, holes) = contents.Coverage(bed, end);
            Assert.True(analysed == end && twice == 0 && holes == 0, $"bed {bed}: published {end}, analysed {analysed}, twice {twice}, holes {holes}");
        }
        // the other worker checkpointed every bed the stalled one held
        foreach (var bed in held) Assert.Contains(contents.Progress, p => p.Bed == bed && p.Record.Worker == h.Workers[0].Worker.Id);
        // one stored copy per event: ids unique, and no two events of a bed with the same kind, rhythm, source and onset
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => (e.Bed, e.Kind, e.Rhythm, e.Source, e.StartSeconds)).Distinct().Count());
    }
}
