using System.Collections.Concurrent;
using EcgStream.Core.Leads;
using EcgStream.Runtime.Pipeline;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

/// <summary>
/// A loopback cluster, a gateway with simulated beds and in-process workers (rules only: the model is measured
/// by `ecgstream cluster-demo`), for fault tests; everything is torn down on dispose.
/// </summary>
internal sealed class Harness : IAsyncDisposable
{
    public static readonly LeadSet TestLeads = LeadSet.Of(Lead.I, Lead.II, Lead.V1);
    private readonly ITestOutputHelper _out;
    private readonly ConcurrentQueue<string> _log = new();
    public LoopbackNatsCluster Cluster { get; private set; } = null!;
    public ClusterSettings Settings { get; private set; } = null!;
    public BedGateway Gateway { get; private set; } = null!;
    public SimulatedBeds Beds { get; private set; } = null!;
    public List<(AnalysisWorker Worker, Task Run, CancellationTokenSource Stop)> Workers { get; } = [];

    private Harness(ITestOutputHelper output) => _out = output;

    public static async Task<Harness> StartAsync(ITestOutputHelper output, int nodes, int beds, int workers)
    {
        var h = new Harness(output);
        h.Cluster = await LoopbackNatsCluster.StartAsync(nodes);
        h.Settings = h.Cluster.Settings() with { LeaseTtl = TimeSpan.FromSeconds(3) };
        await using (var nats = await h.ConnectAsync())
            await JetStreamSetup.EnsureWithRetryAsync(new NatsJSContext(nats), h.Settings, TimeSpan.FromSeconds(30));
        h.Log("streams ready");
        h.Gateway = new BedGateway(h.Settings, log: h.Log);
        h.Beds = new SimulatedBeds(h.Gateway, beds, leads: TestLeads);
        for (int i = 0; i < workers; i++) h.AddWorker($"w{i + 1}");
        h.Beds.Start();
        return h;
    }

    public void Log(string line) => _log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    public AnalysisWorker AddWorker(string id)
    {
        var w = new AnalysisWorker(Settings, new WorkerOptions { WorkerId = id, Warmup = TimeSpan.FromSeconds(15), Bed = BedOptions.Default }, log: Log);
        var stop = new CancellationTokenSource();
        Workers.Add((w, Task.Run(() => w.RunAsync(stop.Token)), stop));
        return w;
    }

    public async Task<NatsConnection> ConnectAsync()
    {
        var nats = new NatsConnection(Settings.ClientOptions("ecgstream-test"));
        await nats.ConnectAsync();
        return nats;
    }

    /// <summary>
    /// Waits until every bed is held by one worker and every worker holds its fair share (the rounding-up share at most, one
    /// bed at least): a worker that joins late (seconds late on a loaded CI machine) takes its share by hand-backs, one per
    /// round, so a fixed delay could snapshot the beds mid-way. Returns each worker's beds. Only for harnesses whose workers
    /// may hold the rounding-up share: with a bed cap below it the beds never balance and the wait fails at its deadline.
    /// </summary>
    public async Task<Dictionary<string, HashSet<string>>> WaitUntilBalancedAsync(TimeSpan within)
    {
        int beds = Beds.Ids.Count, share = (beds + Workers.Count - 1) / Workers.Count;
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var held = Workers.ToDictionary(w => w.Worker.Id, w => w.Worker.Beds.ToHashSet());
            bool balanced = held.Values.Sum(b => b.Count) == beds && held.Values.SelectMany(b => b).Distinct().Count() == beds
                && held.Values.All(b => b.Count >= 1 && b.Count <= share);
            if (balanced) { Log($"test: balanced ({string.Join(", ", held.Select(kv => $"{kv.Key} {kv.Value.Count}"))})"); return held; }
            Assert.True(DateTime.UtcNow < deadline, $"beds not balanced after {within.TotalSeconds:F0} s: {string.Join("; ", held.Select(kv => $"{kv.Key} holds {kv.Value.Count}"))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Stops the beds, waits for the gateway to drain and for every bed to be checkpointed to its end; then reads the streams.</summary>
    public async Task<ClusterContents> FinishAsync(TimeSpan within)
    {
        Beds.Stop();
        Assert.True(await Gateway.FlushAsync(TimeSpan.FromSeconds(20)), $"gateway still holds {Gateway.BlocksBuffered} blocks");
        await using var nats = await ConnectAsync();
        var js = new NatsJSContext(nats);
        var deadline = DateTime.UtcNow + within;
        ClusterContents contents;
        while (true)
        {
            contents = await ClusterContents.ReadAsync(js, Settings);
            bool done = Gateway.PublishedEnd.All(kv => contents.Progress.Where(p => p.Bed == kv.Key).Select(p => p.Record.To).DefaultIfEmpty(0).Max() >= kv.Value);
            if (done || DateTime.UtcNow > deadline) break;
            await Task.Delay(1000);
        }
        return contents;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (w, run, stop) in Workers)
        {
            stop.Cancel();
            try { await run.WaitAsync(TimeSpan.FromSeconds(15)); } catch (Exception e) { Log($"worker {w.Id} ended with {e.GetType().Name}: {e.Message}"); }
            await w.DisposeAsync();
        }
        await Beds.DisposeAsync();
        await Gateway.DisposeAsync();
        await Cluster.DisposeAsync();
        foreach (var line in _log) _out.WriteLine(line);
    }
}
