using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace EcgStream.Cluster;

/// <summary>
/// Creates (or updates) the streams and buckets of the scale-out layout, idempotently, so that the
/// gateway, every worker and the central station can each call it at start (docs/scale-out.md):
/// <list type="bullet">
/// <item>ECG — <c>ecg.&lt;site&gt;.&lt;bed&gt;</c>, sample blocks, file storage, limits retention by age.</item>
/// <item>EVENTS — <c>events.&lt;site&gt;.&lt;bed&gt;</c>, events as JSON, de-duplicated by event id.</item>
/// <item>ECG_PROGRESS — <c>progress.&lt;site&gt;.&lt;bed&gt;</c>, each owner's checkpoints: analysed sample ranges.</item>
/// <item>KV ecg_beds (registry of beds), ecg_leases (bed → owner, lapses after the lease TTL), ecg_workers (live workers).</item>
/// </list>
/// </summary>
public static class JetStreamSetup
{
    public static Task EnsureAsync(INatsJSContext js, ClusterSettings s, CancellationToken ct = default) => EnsureAsync(js, s, createOnly: false, ct);

    /// <param name="createOnly">
    /// Create what is missing, leave what exists as it is: for the daemon's roles (gateway, central), whose settings must not
    /// change the replicas, retention or lease TTL the workers' operators chose.
    /// </param>
    public static async Task EnsureAsync(INatsJSContext js, ClusterSettings s, bool createOnly, CancellationToken ct = default)
    {
        async Task<bool> Wanted(string stream)
        {
            if (!createOnly) return true;
            try { await js.GetStreamAsync(stream, cancellationToken: ct); return false; }
            catch (NatsJSApiException e) when (e.Error.Code == 404) { return true; }
        }
        if (await Wanted(ClusterSettings.SampleStream))
            await js.CreateOrUpdateStreamAsync(new StreamConfig(ClusterSettings.SampleStream, ["ecg.>"])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = s.Replicas,
                MaxAge = s.SampleRetention,
                DuplicateWindow = s.DuplicateWindow,
                Discard = StreamConfigDiscard.Old,
                AllowDirect = true,
            }, ct);
        if (await Wanted(ClusterSettings.EventStream))
            await js.CreateOrUpdateStreamAsync(new StreamConfig(ClusterSettings.EventStream, ["events.>"])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = s.Replicas,
                MaxAge = s.EventRetention,
                DuplicateWindow = s.DuplicateWindow,
                AllowDirect = true,
            }, ct);
        if (await Wanted(ClusterSettings.ProgressStream))
            await js.CreateOrUpdateStreamAsync(new StreamConfig(ClusterSettings.ProgressStream, ["progress.>"])
            {
                Storage = StreamConfigStorage.File,
                NumReplicas = s.Replicas,
                // one checkpoint per bed per second: a day of them is the audit trail (500 beds: ~5 GB); resuming needs only the last
                MaxAge = TimeSpan.FromDays(1),
                AllowDirect = true,
            }, ct);
        var kv = new NatsKVContext((NatsJSContext)js);
        // a bucket is the stream KV_<bucket>
        if (await Wanted("KV_" + ClusterSettings.BedsBucket))
            await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(ClusterSettings.BedsBucket) { NumberOfReplicas = s.Replicas, Storage = NatsKVStorageType.File }, ct);
        // Leases and worker heartbeats lapse by age: a key not written again within the TTL is gone, whoever wrote it.
        if (await Wanted("KV_" + ClusterSettings.LeasesBucket))
            await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(ClusterSettings.LeasesBucket) { NumberOfReplicas = s.Replicas, MaxAge = s.LeaseTtl, Storage = NatsKVStorageType.File }, ct);
        if (await Wanted("KV_" + ClusterSettings.WorkersBucket))
            await kv.CreateOrUpdateStoreAsync(new NatsKVConfig(ClusterSettings.WorkersBucket) { NumberOfReplicas = s.Replicas, MaxAge = s.LeaseTtl, Storage = NatsKVStorageType.File }, ct);
    }

    /// <summary>
    /// <see cref="EnsureAsync(INatsJSContext, ClusterSettings, bool, CancellationToken)"/>, retried while the cluster has no JetStream leader yet (a fresh cluster elects
    /// one within seconds) until <paramref name="within"/> has passed.
    /// </summary>
    public static async Task EnsureWithRetryAsync(INatsJSContext js, ClusterSettings s, TimeSpan within, CancellationToken ct = default, bool createOnly = false)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try { await EnsureAsync(js, s, createOnly, ct); return; }
            catch (Exception e) when (e is NatsJSException or NATS.Client.Core.NatsException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, ct);
            }
        }
    }
}
