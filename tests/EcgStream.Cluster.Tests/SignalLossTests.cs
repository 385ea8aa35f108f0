using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

public sealed class WorkerSignalLossTests(ITestOutputHelper output)
{
    /// <summary>
    /// Beds whose gateway goes quiet (killed, cut off) raise SIGNAL_LOSS from their worker once the stream has had nothing
    /// of them for 4 s, not a GAP only when samples come back, maybe never (review, session 21: a gateway killed for 20 s
    /// gave no event at all until its restart).
    /// </summary>
    [NatsFact]
    public async Task Beds_whose_gateway_goes_quiet_raise_SIGNAL_LOSS_from_their_worker()
    {
        await using var h = await Harness.StartAsync(output, nodes: 1, beds: 2, workers: 1);
        await h.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        h.Beds.Stop();
        Assert.True(await h.Gateway.FlushAsync(TimeSpan.FromSeconds(20)));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        ClusterContents contents;
        await using var nats = await h.ConnectAsync();
        var js = new NATS.Client.JetStream.NatsJSContext(nats);
        while (true)
        {
            contents = await ClusterContents.ReadAsync(js, h.Settings);
            if (h.Beds.Ids.All(b => contents.Events.Any(e => e.Bed == b && e is { Rhythm: "SIGNAL_LOSS", Kind: "onset" })) || DateTime.UtcNow > deadline) break;
            await Task.Delay(500);
        }
        foreach (var bed in h.Beds.Ids)
            Assert.Single(contents.Events, e => e.Bed == bed && e is { Rhythm: "SIGNAL_LOSS", Kind: "onset" });
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => e.Id).Distinct().Count());
    }
}
