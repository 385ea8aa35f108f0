using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;

namespace EcgStream.Cluster.Tests;

public sealed class GatewayTests
{
    /// <summary>No cluster at the address: blocks wait in the bounded buffer, the excess is dropped and counted, one line says why, nothing throws.</summary>
    [Fact]
    public async Task An_unreachable_cluster_fills_the_bounded_buffer_and_counts_what_is_dropped()
    {
        int port;
        using (var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)s.LocalEndPoint!).Port; // closed again: nothing listens there
        }
        var lines = new ConcurrentQueue<string>();
        var settings = new ClusterSettings { Urls = [$"nats://127.0.0.1:{port}"], User = "ecg", Password = "pw", Replicas = 1 };
        await using var gateway = new BedGateway(settings, new GatewayOptions { BufferBlocks = 40, Lanes = 1 }, lines.Enqueue);
        var samples = new float[3 * 25];
        int accepted = 0;
        for (int i = 0; i < 100; i++)
            if (gateway.Publish(new SampleBlock($"bed{i % 4}", (i / 4) * 25, 250, LeadSet.Of(Lead.I, Lead.II, Lead.V1), 25, samples))) accepted++;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (lines.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);

        Assert.InRange(accepted, 40, 41); // the buffer, plus at most the one block the pump is retrying
        Assert.Equal((100 - accepted) * 25L, gateway.SamplesDropped);
        Assert.Equal(0, gateway.SamplesPublished);
        Assert.False(await gateway.FlushAsync(TimeSpan.FromMilliseconds(200)));
        var line = Assert.Single(lines.Distinct());
        Assert.StartsWith("nats: publishing failed (", line);
        Assert.EndsWith("); buffering up to 40 blocks and retrying", line);
    }

    /// <summary>
    /// A cluster that accepts the connection and never answers: the first publish waits out the 3 s connect timeout, so
    /// no publish has failed yet while the buffer overflows. Dropping blocks is failing all the same: the daemon's /health
    /// must say "degraded" from the first dropped block, not only from the first failed publish.
    /// </summary>
    [Fact]
    public async Task A_gateway_that_drops_blocks_is_failing_before_any_publish_has_failed()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<Socket>();
        // accepts and holds every connection until the listener stops (Stop can come before the first accept is even under way)
        var accepting = Task.Run(async () =>
        {
            try { while (true) held.Add(await silent.AcceptSocketAsync()); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException) { }
        });
        var lines = new ConcurrentQueue<string>();
        var settings = new ClusterSettings { Urls = [$"nats://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"], User = "ecg", Password = "pw", Replicas = 1 };
        await using (var gateway = new BedGateway(settings, new GatewayOptions { BufferBlocks = 4, Lanes = 1 }, lines.Enqueue))
        {
            var samples = new float[25];
            Assert.True(gateway.Publish(new SampleBlock("bed1", 0, 250, LeadSet.Of(Lead.II), 25, samples)));
            Assert.False(gateway.Failing); // buffered, nothing failed yet
            for (int i = 1; i < 10; i++) gateway.Publish(new SampleBlock("bed1", i * 25, 250, LeadSet.Of(Lead.II), 25, samples));
            Assert.True(gateway.SamplesDropped > 0, "the buffer of 4 blocks took 10");
            Assert.True(lines.IsEmpty, "no publish has failed yet: " + string.Join(" | ", lines));
            Assert.True(gateway.Failing);
        }
        silent.Stop();
        await accepting;
        foreach (var socket in held) socket.Dispose();
    }

    /// <summary>
    /// A cluster that acknowledges but cannot keep up with a burst: blocks are dropped, then every buffered one is
    /// acknowledged. The gateway stays failing for 5 s after its last drop, so /health cannot read "ok" between two
    /// acknowledgements while blocks are being dropped, and then recovers on its own.
    /// </summary>
    [NatsFact]
    public async Task A_gateway_that_drops_stays_failing_for_a_while_though_the_cluster_acknowledges()
    {
        await using var cluster = await LoopbackNatsCluster.StartAsync(1);
        await using var gateway = new BedGateway(cluster.Settings(), new GatewayOptions { BufferBlocks = 4, Lanes = 1 });
        var samples = new float[25];
        Assert.True(gateway.Publish(new SampleBlock("bed1", 0, 250, LeadSet.Of(Lead.II), 25, samples)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (gateway.SamplesPublished == 0 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
        Assert.Equal(25, gateway.SamplesPublished);
        Assert.False(gateway.Failing);

        for (int i = 1; i <= 40; i++) gateway.Publish(new SampleBlock("bed1", i * 25, 250, LeadSet.Of(Lead.II), 25, samples));
        Assert.True(gateway.SamplesDropped > 0, "40 blocks at once into a buffer of 4");
        var dropped = clock.Elapsed;
        Assert.True(await gateway.FlushAsync(TimeSpan.FromSeconds(10)), "the cluster acknowledges what was buffered");
        Assert.Equal(gateway.SamplesAccepted, gateway.SamplesPublished);
        if (clock.Elapsed - dropped < TimeSpan.FromSeconds(4)) Assert.True(gateway.Failing, "acknowledged since, yet blocks were dropped under 4 s ago");
        while (gateway.Failing && clock.Elapsed - dropped < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        Assert.False(gateway.Failing);
        Assert.InRange((clock.Elapsed - dropped).TotalSeconds, 4.9, 10);
    }

    /// <summary>
    /// A cluster that goes away after the gateway has published: the gateway is failing while its connection is down
    /// (its publishes wait for the reconnect and fail nothing, so a failed publish alone never said so: review, session
    /// 21), and not once the cluster is back.
    /// </summary>
    [NatsFact]
    public async Task A_gateway_whose_cluster_goes_away_is_failing_until_it_is_back()
    {
        await using var cluster = await LoopbackNatsCluster.StartAsync(1);
        await using var gateway = new BedGateway(cluster.Settings(), new GatewayOptions { Lanes = 1 });
        var samples = new float[25];
        Assert.True(gateway.Publish(new SampleBlock("bed1", 0, 250, LeadSet.Of(Lead.II), 25, samples)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (gateway.SamplesPublished == 0 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
        Assert.False(gateway.Failing);

        cluster.Kill(0);
        clock.Restart();
        while (!gateway.Failing && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.True(gateway.Failing, "the cluster is gone, yet the gateway is not failing");

        await cluster.RestartAsync(0);
        clock.Restart();
        while (gateway.Failing && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        Assert.False(gateway.Failing);
    }
}
