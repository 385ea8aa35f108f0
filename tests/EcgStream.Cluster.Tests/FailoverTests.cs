using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

public sealed class FailoverTests(ITestOutputHelper output)
{
    [NatsFact]
    public async Task Worker_crash_and_node_loss_lose_no_sample_and_analyse_none_twice()
    {
        await using var h = await Harness.StartAsync(output, nodes: 3, beds: 8, workers: 3);
        await Task.Delay(TimeSpan.FromSeconds(10));
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
        // the victim's beds were checkpointed by another worker after the crash
        foreach (var bed in moved)
            Assert.Contains(contents.Progress, p => p.Bed == bed && p.Record.Worker != victim.Id);
        // every stored event id is unique: the stream kept one copy of each
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => e.Id).Distinct().Count());
        Assert.NotEmpty(contents.Events);
    }
}
