using System.Diagnostics;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json.Serialization;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EcgStream.Cluster;

/// <summary>Settings of `ecgstream cluster-demo`.</summary>
public sealed record ClusterDemoOptions
{
    public int Beds { get; init; } = 64;
    public int Workers { get; init; } = 3;
    public int Nodes { get; init; } = 3;
    public double Seconds { get; init; } = 120;
    public double SampleRate { get; init; } = 250;
    public LeadSet Leads { get; init; } = LeadSet.All;
    /// <summary>Kill a worker and a NATS node at half time, restart the node 10 s later.</summary>
    public bool Faults { get; init; } = true;
    /// <summary>Kill the NATS node that leads the most of the streams and buckets (the worst case for failover) rather than the last one.</summary>
    public bool KillLeader { get; init; }
    /// <summary>Stall (SIGSTOP) one worker this long from a fifth of the run (0: none); the network-cut case.</summary>
    public double StallSeconds { get; init; }
    public TimeSpan LeaseTtl { get; init; } = ClusterSettings.DefaultLeaseTtl;
    /// <summary>Compare the cluster's events with a single-process replay of the same samples.</summary>
    public bool Reference { get; init; } = true;
}

/// <summary>The JSON summary `cluster-demo` prints.</summary>
public sealed record DemoSummary
{
    [JsonPropertyName("beds")] public int Beds { get; init; }
    [JsonPropertyName("workers")] public int Workers { get; init; }
    [JsonPropertyName("nats_nodes")] public int Nodes { get; init; }
    [JsonPropertyName("seconds")] public double Seconds { get; init; }
    [JsonPropertyName("leads")] public int Leads { get; init; }
    [JsonPropertyName("sample_rate_hz")] public double SampleRate { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("samples_published")] public long SamplesPublished { get; init; }
    [JsonPropertyName("samples_analysed")] public long SamplesAnalysed { get; init; }
    [JsonPropertyName("samples_lost")] public long SamplesLost { get; init; }
    /// <summary>Published but not yet analysed when the demo stopped waiting (still in the stream): the workers were behind, nothing lost.</summary>
    [JsonPropertyName("samples_behind_at_end")] public long SamplesBehind { get; init; }
    [JsonPropertyName("samples_analysed_twice")] public long SamplesAnalysedTwice { get; init; }
    [JsonPropertyName("samples_dropped_by_gateway")] public long SamplesDroppedByGateway { get; init; }
    [JsonPropertyName("gateway_retries")] public long GatewayRetries { get; init; }
    [JsonPropertyName("coverage_holes")] public int CoverageHoles { get; init; }
    [JsonPropertyName("gaps")] public int Gaps { get; init; }
    [JsonPropertyName("events")] public int Events { get; init; }
    [JsonPropertyName("duplicate_event_ids")] public int DuplicateEventIds { get; init; }
    [JsonPropertyName("killed_worker")] public string? KilledWorker { get; init; }
    [JsonPropertyName("killed_nats_node")] public string? KilledNode { get; init; }
    /// <summary>The streams and buckets whose Raft leader the killed node was (each elects a new one: the failover's floor).</summary>
    [JsonPropertyName("killed_node_led")] public IReadOnlyList<string>? KilledNodeLed { get; init; }
    [JsonPropertyName("stalled_worker")] public string? StalledWorker { get; init; }
    [JsonPropertyName("rebalanced_beds")] public int RebalancedBeds { get; init; }
    [JsonPropertyName("beds_with_events_after_kill")] public int BedsWithEventsAfterKill { get; init; }
    /// <summary>Max over the killed worker's beds: its last checkpoint of the bed → the new owner's first (no analysis progress between).</summary>
    [JsonPropertyName("failover_seconds")] public double? FailoverSeconds { get; init; }
    /// <summary>Max over the killed worker's beds that had events on both sides: last event stored before the kill → first after.</summary>
    [JsonPropertyName("event_gap_seconds")] public double? EventGapSeconds { get; init; }
    [JsonPropertyName("event_gap_beds")] public int EventGapBeds { get; init; }
    /// <summary>Max over the killed worker's beds: the kill → the new owner's first checkpoint.</summary>
    [JsonPropertyName("takeover_seconds")] public double? TakeoverSeconds { get; init; }
    /// <summary>Max over the killed worker's beds: the kill → the new owner's claim record (detection; the rest of the takeover is the warm-up).</summary>
    [JsonPropertyName("claim_seconds")] public double? ClaimSeconds { get; init; }
    [JsonPropertyName("moved_beds")] public int MovedBeds { get; init; }
    [JsonPropertyName("latency_ms")] public LatencySummary? Latency { get; init; }
    [JsonPropertyName("worker_cpu_seconds")] public double WorkerCpuSeconds { get; init; }
    [JsonPropertyName("beds_per_worker_core")] public double BedsPerWorkerCore { get; init; }
    [JsonPropertyName("generator_late_ticks")] public long GeneratorLateTicks { get; init; }
    [JsonPropertyName("replay_match")] public ReplayMatch? Replay { get; init; }
}

/// <summary>Sample block stored in the stream → event stored in the events stream, per source.</summary>
public sealed record LatencySummary(
    [property: JsonPropertyName("rule_p50")] double RuleP50, [property: JsonPropertyName("rule_p99")] double RuleP99, [property: JsonPropertyName("rule_n")] int RuleCount,
    [property: JsonPropertyName("model_p50")] double ModelP50, [property: JsonPropertyName("model_p99")] double ModelP99, [property: JsonPropertyName("model_n")] int ModelCount);

/// <summary>Onsets of the cluster run against a single-process replay of the same stored samples.</summary>
public sealed record ReplayMatch(
    [property: JsonPropertyName("cluster_onsets")] int ClusterOnsets,
    [property: JsonPropertyName("replay_onsets")] int ReplayOnsets,
    [property: JsonPropertyName("matched")] int Matched,
    [property: JsonPropertyName("max_onset_diff_s")] double MaxOnsetDifference,
    [property: JsonPropertyName("hop_s")] double Hop)
{
    /// <summary>Onsets without a partner, "side bed type rhythm source start_s" (side: cluster or replay), for the log.</summary>
    [JsonPropertyName("unmatched")] public IReadOnlyList<string> Unmatched { get; init; } = [];
}

/// <summary>
/// `ecgstream cluster-demo`: a loopback NATS cluster, simulated beds published by a gateway, workers started by
/// <paramref name="launch"/>; at half time one worker and one NATS node are killed (the node restarts 10 s later);
/// then the streams are read back and summarised (<see cref="DemoSummary"/>).
/// </summary>
public static class ClusterDemo
{
    public static async Task<DemoSummary> RunAsync(ClusterDemoOptions o, Func<string, ClusterSettings, IWorkerHandle> launch,
        Func<InferenceScheduler?>? referenceModel, string? modelId, Action<string> log, CancellationToken ct = default)
    {
        if (o.Beds < 1 || o.Workers < 1 || o.Nodes < 1) throw new ArgumentException($"beds ({o.Beds}), workers ({o.Workers}) and nodes ({o.Nodes}) must be at least 1");
        if (o.Faults && (o.Workers < 2 || o.Nodes < 3)) throw new ArgumentException("faults need at least 2 workers and 3 NATS nodes (a replicated stream survives one node of three)");
        if (!(o.Seconds >= 20)) throw new ArgumentException($"--seconds {o.Seconds}: at least 20");
        await using var cluster = await LoopbackNatsCluster.StartAsync(o.Nodes, ct: ct);
        var settings = cluster.Settings() with { LeaseTtl = o.LeaseTtl };
        log($"cluster: {o.Nodes} nats-server nodes on {string.Join(",", cluster.Urls)}, store {cluster.StoreRoot}");
        await using var admin = new NatsConnection(settings.ClientOptions("ecgstream-demo"));
        await admin.ConnectAsync();
        var js = new NatsJSContext(admin);
        await JetStreamSetup.EnsureWithRetryAsync(js, settings, TimeSpan.FromSeconds(60), ct);

        var workers = new List<IWorkerHandle>();
        try
        {
            foreach (int i in Enumerable.Range(1, o.Workers)) workers.Add(launch($"w{i}", settings));
            return await RunWithWorkersAsync(o, cluster, settings, js, workers, referenceModel, modelId, log, ct);
        }
        finally
        {
            // also on Ctrl-C or a failure: no worker process outlives the demo
            foreach (var w in workers) await w.DisposeAsync();
        }
    }

    /// <summary>The Raft leader of each stream and bucket the cluster uses, by node name (one that does not answer is left out).</summary>
    private static async Task<Dictionary<string, string>> LeadersAsync(INatsJSContext js, CancellationToken ct)
    {
        var leaders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stream in new[] { ClusterSettings.SampleStream, ClusterSettings.ProgressStream, ClusterSettings.EventStream,
                     "KV_" + ClusterSettings.WorkersBucket, "KV_" + ClusterSettings.LeasesBucket, "KV_" + ClusterSettings.BedsBucket })
        {
            try
            {
                using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quick.CancelAfter(TimeSpan.FromSeconds(2));
                if ((await js.GetStreamAsync(stream, cancellationToken: quick.Token)).Info.Cluster?.Leader is { } leader) leaders[stream] = leader;
            }
            catch (Exception e) when (e is NatsException or OperationCanceledException && !ct.IsCancellationRequested) { }
        }
        return leaders;
    }

    private static async Task<DemoSummary> RunWithWorkersAsync(ClusterDemoOptions o, LoopbackNatsCluster cluster, ClusterSettings settings, INatsJSContext js,
        List<IWorkerHandle> workers, Func<InferenceScheduler?>? referenceModel, string? modelId, Action<string> log, CancellationToken ct)
    {
        await using var gateway = new BedGateway(settings, log: log);
        await using var beds = new SimulatedBeds(gateway, o.Beds, o.SampleRate, o.Leads);
        beds.Start();
        var clock = Stopwatch.StartNew();
        DateTimeOffset? killedAt = null;
        string? killedWorker = null, killedNode = null, stalled = null;
        List<string>? killedNodeLed = null;
        var cpu = new Dictionary<string, TimeSpan>();
        async Task Until(double s) { var wait = TimeSpan.FromSeconds(s) - clock.Elapsed; if (wait > TimeSpan.Zero) await Task.Delay(wait, ct); }

        if (o.StallSeconds > 0 && o.Workers >= 2)
        {
            await Until(o.Seconds * 0.2);
            var w = workers[^1];
            stalled = w.Id;
            log($"demo: SIGSTOP worker {w.Id} for {o.StallSeconds} s (a network cut)");
            w.Suspend();
            _ = Task.Delay(TimeSpan.FromSeconds(o.StallSeconds), ct).ContinueWith(_ => { w.Resume(); log($"demo: SIGCONT worker {w.Id}"); }, TaskScheduler.Default);
        }
        if (o.Faults)
        {
            await Until(o.Seconds / 2);
            var leaders = await LeadersAsync(js, ct);
            // nodes are named n1…nN; ties go to the last node, the default victim
            int node = !o.KillLeader ? o.Nodes - 1
                : Enumerable.Range(0, o.Nodes).OrderByDescending(i => leaders.Count(l => l.Value == $"n{i + 1}")).ThenByDescending(i => i).First();
            var victim = workers[0];
            cpu[victim.Id] = victim.CpuTime;
            killedAt = DateTimeOffset.UtcNow;
            victim.Kill();
            cluster.Kill(node);
            killedWorker = victim.Id;
            killedNode = $"n{node + 1}";
            killedNodeLed = leaders.Where(l => l.Value == killedNode).Select(l => l.Key).Order(StringComparer.Ordinal).ToList();
            log($"demo: killed worker {victim.Id} and NATS node {killedNode} (SIGKILL), leader of {(killedNodeLed.Count == 0 ? "nothing" : string.Join(", ", killedNodeLed))}");
            await Until(o.Seconds / 2 + 10);
            await cluster.RestartAsync(node, ct);
            log($"demo: NATS node {killedNode} restarted");
        }
        await Until(o.Seconds);
        beds.Stop();
        log($"demo: beds stopped after {beds.PositionSeconds:F1} s of signal; draining");
        if (!await gateway.FlushAsync(TimeSpan.FromSeconds(60), ct)) log($"demo: gateway still holds {gateway.BlocksBuffered} blocks after 60 s");
        var contents = await WaitAnalysedAsync(js, settings, gateway, TimeSpan.FromSeconds(90), log, ct);
        foreach (var w in workers) if (!cpu.ContainsKey(w.Id)) cpu[w.Id] = w.CpuTime;
        foreach (var w in workers) if (w.Id != killedWorker) await w.StopAsync(TimeSpan.FromSeconds(15));

        long published = gateway.PublishedEnd.Values.Sum(), analysed = 0, twice = 0, behind = 0;
        int holes = 0;
        foreach (var (bed, end) in gateway.PublishedEnd)
        {
            var c = contents.Coverage(bed, end);
            analysed += c.Analysed;
            twice += c.Double;
            long tail = contents.Behind(bed, end);
            behind += tail;
            holes += c.Holes - (tail > 0 ? 1 : 0); // the tail is not a hole: it is still in the stream, waiting
        }
        var events = contents.Events;
        double cpuSeconds = cpu.Values.Sum(t => t.TotalSeconds);
        var summary = new DemoSummary
        {
            Beds = o.Beds, Workers = o.Workers, Nodes = o.Nodes, Seconds = Math.Round(beds.PositionSeconds, 1), Leads = o.Leads.Count, SampleRate = o.SampleRate,
            Model = modelId,
            SamplesPublished = published, SamplesAnalysed = analysed, SamplesLost = published - analysed - behind, SamplesBehind = behind, SamplesAnalysedTwice = twice,
            SamplesDroppedByGateway = gateway.SamplesDropped, GatewayRetries = gateway.Retries, CoverageHoles = holes,
            Gaps = events.Count(e => e.Rhythm == Alarms.Gap && e.Kind == "onset"),
            Events = events.Count,
            DuplicateEventIds = events.Count - events.Select(e => e.Id).Distinct().Count(),
            KilledWorker = killedWorker, KilledNode = killedNode, KilledNodeLed = killedNodeLed, StalledWorker = stalled,
            RebalancedBeds = contents.Progress.GroupBy(p => p.Bed).Count(g => g.Select(p => p.Record.Worker).Distinct().Count() > 1),
            WorkerCpuSeconds = Math.Round(cpuSeconds, 1),
            // bed-seconds of signal analysed per CPU-second of the workers
            BedsPerWorkerCore = cpuSeconds > 0 ? Math.Round(o.Beds * beds.PositionSeconds / cpuSeconds, 1) : 0,
            GeneratorLateTicks = beds.LateTicks,
            Latency = Latency(events),
        };
        if (killedAt is { } k)
        {
            summary = WithFailover(summary, contents, killedWorker!, k, o.Beds);
            LogElections(cluster, log);
        }
        if (o.Reference && referenceModel is not null)
        {
            log("demo: single-process replay of the stored samples for comparison");
            summary = summary with { Replay = await CompareWithReplayAsync(js, settings, gateway.PublishedEnd.Keys.ToList(), events, referenceModel, ct) };
        }
        return summary;
    }

    private static async Task<ClusterContents> WaitAnalysedAsync(INatsJSContext js, ClusterSettings s, BedGateway gateway, TimeSpan within, Action<string> log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var contents = await ClusterContents.ReadAsync(js, s, ct);
            var reach = contents.Progress.GroupBy(p => p.Bed).ToDictionary(g => g.Key, g => g.Max(p => p.Record.To));
            int behind = gateway.PublishedEnd.Count(kv => reach.GetValueOrDefault(kv.Key) < kv.Value);
            if (behind == 0) return contents;
            if (DateTime.UtcNow > deadline) { log($"demo: {behind} beds not checkpointed to their end within {within.TotalSeconds:F0} s"); return contents; }
            await Task.Delay(1000, ct);
        }
    }

    private static DemoSummary WithFailover(DemoSummary summary, ClusterContents contents, string victim, DateTimeOffset killedAt, int beds)
    {
        // beds the victim held at the kill: its last checkpoint of them came after every other worker's before the kill
        var moved = contents.Progress.Where(p => p.Stored < killedAt).GroupBy(p => p.Bed)
            .Where(g => g.MaxBy(p => p.Stored)!.Record.Worker == victim).Select(g => g.Key).ToList();
        double? failover = null, takeover = null, eventGap = null, claim = null;
        int gapBeds = 0;
        foreach (var bed in moved)
        {
            var before = contents.Events.Where(e => e.Bed == bed && e.Stored < killedAt).Select(e => e.Stored).DefaultIfEmpty().Max();
            var after = contents.Events.Where(e => e.Bed == bed && e.Stored >= killedAt).Select(e => (DateTimeOffset?)e.Stored).Min();
            if (before != default && after is { } a) { eventGap = Math.Max(eventGap ?? 0, (a - before).TotalSeconds); gapBeds++; }
            // checkpoints proper: a claim record (empty range) is ownership, not analysis
            var last = contents.Progress.Where(p => p.Bed == bed && p.Stored < killedAt && p.Record.IsCheckpoint).Select(p => p.Stored).DefaultIfEmpty(killedAt).Max();
            var next = contents.Progress.Where(p => p.Bed == bed && p.Stored >= killedAt && p.Record.Worker != victim && p.Record.IsCheckpoint).Select(p => (DateTimeOffset?)p.Stored).Min();
            var claimed = contents.Progress.Where(p => p.Bed == bed && p.Stored >= killedAt && p.Record.Worker != victim).Select(p => (DateTimeOffset?)p.Stored).Min();
            if (claimed is { } c) claim = Math.Max(claim ?? 0, (c - killedAt).TotalSeconds);
            if (next is { } n)
            {
                takeover = Math.Max(takeover ?? 0, (n - killedAt).TotalSeconds);
                failover = Math.Max(failover ?? 0, (n - last).TotalSeconds);
            }
        }
        return summary with
        {
            FailoverSeconds = failover is { } f ? Math.Round(f, 2) : null,
            TakeoverSeconds = takeover is { } t ? Math.Round(t, 2) : null,
            ClaimSeconds = claim is { } cl ? Math.Round(cl, 2) : null,
            EventGapSeconds = eventGap is { } g ? Math.Round(g, 2) : null,
            EventGapBeds = gapBeds,
            MovedBeds = moved.Count,
            BedsWithEventsAfterKill = contents.Events.Where(e => e.Stored >= killedAt).Select(e => e.Bed).Distinct().Count(),
        };
    }

    /// <summary>
    /// The servers' own account of the node loss, for the timeline: each stream's and bucket's new Raft leader (nats-server 2.9
    /// waits 4-9 s without a leader before it campaigns; not configurable), from the surviving nodes' logs.
    /// </summary>
    private static void LogElections(LoopbackNatsCluster cluster, Action<string> log)
    {
        for (int i = 1; i <= cluster.Nodes; i++)
        {
            string path = Path.Combine(cluster.StoreRoot, $"n{i}", "server.log");
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadLines(path))
                if (line.Contains("new stream leader", StringComparison.Ordinal) || line.Contains("metadata leader", StringComparison.Ordinal))
                    log($"demo: n{i}: {line}");
        }
    }

    private static LatencySummary? Latency(IReadOnlyList<StoredEvent> events)
    {
        static double[] Ms(IEnumerable<StoredEvent> es) => es.Where(e => e.SampleStored is not null).Select(e => (e.Stored - e.SampleStored!.Value).TotalMilliseconds).Order().ToArray();
        var rule = Ms(events.Where(e => e.Source == "rule"));
        var model = Ms(events.Where(e => e.Source == "model"));
        if (rule.Length + model.Length == 0) return null;
        return new LatencySummary(Pct(rule, 0.5), Pct(rule, 0.99), rule.Length, Pct(model, 0.5), Pct(model, 0.99), model.Length);
    }

    private static double Pct(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 1);

    /// <summary>
    /// Replays every bed's stored samples from the first in one process through the same pipeline and model, and
    /// matches onsets (bed, type, rhythm, source) within one hop.
    /// </summary>
    private static async Task<ReplayMatch> CompareWithReplayAsync(INatsJSContext js, ClusterSettings s, IReadOnlyList<string> beds,
        IReadOnlyList<StoredEvent> cluster, Func<InferenceScheduler?> makeModel, CancellationToken ct)
    {
        var options = BedOptions.Default;
        double hop = options.Signal.WindowHop / Signal.Preprocessing.PreprocessorOptions.ContractSampleRate;
        var replay = new List<RhythmEvent>();
        using var model = makeModel();
        foreach (var bed in beds)
        {
            var input = new Subject<Core.Samples.SampleBlock>();
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sub = BedPipeline.Events(input, options, model).Subscribe(e => { lock (replay) replay.Add(e); }, e => done.TrySetException(e), () => done.TrySetResult());
            float[] buffer = [];
            await foreach (var m in SubjectReader.ReadAsync(js, ClusterSettings.SampleStream, s.SampleSubject(bed), null, TimeSpan.FromSeconds(3), true, null, ct))
                if (SampleCodec.TryDecode(m.Data, bed, ref buffer, out var block, out _)) input.OnNext(block);
            input.OnCompleted();
            await done.Task;
        }
        return MatchOnsets(cluster, replay, hop);
    }

    /// <summary>
    /// Pairs each onset the cluster stored with the nearest unpaired replay onset of the same bed, type, rhythm and source
    /// (rule, model or fused) within one hop.
    /// </summary>
    internal static ReplayMatch MatchOnsets(IReadOnlyList<StoredEvent> cluster, IReadOnlyList<RhythmEvent> replay, double hop)
    {
        static (string, string, string, string) Key(string bed, string type, string rhythm, string source) => (bed, type, rhythm, source);
        var replayOnsets = replay.Where(e => e.Kind == EventKind.Onset)
            .GroupBy(e => Key(e.StreamId, e.Type == EventType.Rhythm ? "rhythm" : "alarm", e.Rhythm, EventSources.Name(e.Source)))
            .ToDictionary(g => g.Key, g => g.Select(e => e.StartSeconds).ToList());
        int clusterOnsets = 0, matched = 0;
        double maxDiff = 0;
        var unmatched = new List<string>();
        foreach (var e in cluster.Where(e => e.Kind == "onset").OrderBy(e => e.Bed, StringComparer.Ordinal).ThenBy(e => e.StartSeconds))
        {
            clusterOnsets++;
            int best = -1;
            if (replayOnsets.TryGetValue(Key(e.Bed, e.Type, e.Rhythm, e.Source), out var starts))
                for (int i = 0; i < starts.Count; i++)
                    if (Math.Abs(starts[i] - e.StartSeconds) <= hop + 1e-6 && (best < 0 || Math.Abs(starts[i] - e.StartSeconds) < Math.Abs(starts[best] - e.StartSeconds))) best = i;
            if (best < 0)
            {
                unmatched.Add(FormattableString.Invariant($"cluster {e.Bed} {e.Type} {e.Rhythm} {e.Source} {e.StartSeconds:F1}"));
                continue;
            }
            matched++;
            maxDiff = Math.Max(maxDiff, Math.Abs(starts![best] - e.StartSeconds));
            starts.RemoveAt(best);
        }
        foreach (var ((bed, type, rhythm, source), starts) in replayOnsets.OrderBy(kv => kv.Key))
            foreach (var start in starts) unmatched.Add(FormattableString.Invariant($"replay {bed} {type} {rhythm} {source} {start:F1}"));
        return new ReplayMatch(clusterOnsets, replay.Count(e => e.Kind == EventKind.Onset), matched, Math.Round(maxDiff, 3), hop) { Unmatched = unmatched };
    }
}
