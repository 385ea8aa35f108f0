using System.Diagnostics.Metrics;
using EcgStream.Core.Events;
using EcgStream.Daemon.Beds;

namespace EcgStream.Daemon.Metrics;

/// <summary>
/// The daemon's instruments, on one <see cref="Meter"/> named <see cref="MeterName"/> per
/// <see cref="DaemonHost"/> (the host's OpenTelemetry pipeline reads only its own Meter, so daemons
/// hosted side by side in one process, as in the tests, never mix their series). Exported by
/// OpenTelemetry as Prometheus text on <c>/metrics</c> and, when configured, over OTLP; names, units
/// and labels are listed in docs/daemon.md.
/// <para>
/// Two kinds of instrument, chosen so that no sample costs anything more:
/// what is already counted where it happens (samples, frames by outcome, event-stream messages,
/// model windows) is read at collection time by observable instruments; what happens once per event
/// or request (events, latencies, HTTP refusals) is recorded as it happens, with tag arrays made once.
/// </para>
/// </summary>
public sealed class DaemonMetrics : IDisposable
{
    public const string MeterName = "EcgStream";

    // Seconds, from a fast rule event (≈1 ms) to a model window waiting behind a full queue.
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly KeyValuePair<string, object?>[] RefusedHost = [new("reason", "host")];
    private static readonly KeyValuePair<string, object?>[] RefusedToken = [new("reason", "token")];
    private static readonly KeyValuePair<string, object?>[] RefusedOrigin = [new("reason", "origin")];
    private static readonly KeyValuePair<string, object?>[] RefusedClients = [new("reason", "clients")];

    private readonly Counter<long> _refused;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _eventLatency;

    /// <summary>
    /// Instruments over <paramref name="beds"/>, <paramref name="hub"/> and <paramref name="model"/>,
    /// which are read only when metrics are collected (they may still be null or empty before the host has started).
    /// </summary>
    public DaemonMetrics(Func<IReadOnlyList<Bed>> beds, Func<Streams.EventHub?> hub, Func<Runtime.Inference.InferenceScheduler?> model,
        Func<EcgStream.Cluster.EventFeed?>? feed = null, Func<EcgStream.Cluster.BedGateway?>? gateway = null)
    {
        feed ??= () => null;
        gateway ??= () => null;
        Meter = new Meter(MeterName, typeof(DaemonMetrics).Assembly.GetName().Version?.ToString(3));
        var m = Meter;

        m.CreateObservableGauge("ecgstream.bed.connected", () => PerBed(beds(), b => b.Connected ? 1 : 0),
            description: "1 while the bed's source is connected.");
        m.CreateObservableGauge("ecgstream.bed.signal_lost", () => PerBed(beds(), b => b.SignalLost ? 1 : 0),
            description: "1 from a SIGNAL_LOSS onset until samples arrive again.");
        m.CreateObservableGauge("ecgstream.bed.last_sample_age", () => LastSampleAge(beds()), "s",
            "Seconds since the last block arrived (absent before the first).");
        m.CreateObservableCounter("ecgstream.bed.samples", () => PerBed(beds(), b => b.Samples), "{sample}",
            "Samples per lead received.");
        m.CreateObservableCounter("ecgstream.bed.reconnects", () => PerBed(beds(), b => b.Reconnects), "{reconnect}",
            "Times the source connected again after a drop.");
        m.CreateObservableCounter("ecgstream.bed.stream_restarts", () => PerBed(beds(), b => b.StreamRestarts), "{restart}",
            "Times the bed's stream state was reset after a gap too long to fill.");

        m.CreateObservableCounter("ecgstream.ingest.frames", () => IngestFrames(beds()), "{frame}",
            "Wire frames by result (ok: INFO and delivered DATA; the others were not used).");
        m.CreateObservableCounter("ecgstream.ingest.gaps", () => PerIngest(beds(), c => c.Gaps), "{gap}",
            "Runs of missing frames (from sequence numbers).");
        m.CreateObservableCounter("ecgstream.ingest.gap_frames", () => PerIngest(beds(), c => c.GapFrames), "{frame}",
            "Frames missing in all gaps.");
        m.CreateObservableCounter("ecgstream.ingest.restarts", () => PerIngest(beds(), c => c.Restarts), "{restart}",
            "Device restarts (the sequence number jumped back).");

        _events = m.CreateCounter<long>("ecgstream.events", "{event}", "Events emitted, by bed, type, kind, rhythm and source.");
        _eventLatency = m.CreateHistogram("ecgstream.event.latency", "s",
            "Host time from the arrival of the newest block to its event reaching the sinks.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        m.CreateObservableCounter("ecgstream.inference.windows", () => InferenceWindows(model()), "{window}",
            "Model windows by result (live: the oldest queued window is dropped when the queue is full).");
        m.CreateObservableCounter("ecgstream.inference.batches", () => One(model(), s => s.Batches), "{batch}",
            "Model runs.");
        InferenceLatency = m.CreateHistogram("ecgstream.inference.latency", "s", "Window queued → its scores delivered.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        _refused = m.CreateCounter<long>("ecgstream.http.refused", "{request}",
            "HTTP requests refused, by reason (host, token, origin, clients).");
        m.CreateObservableGauge("ecgstream.stream.clients", () => One(hub(), h => h.ClientCount), "{client}",
            "Connected event-stream clients.");
        m.CreateObservableCounter("ecgstream.stream.messages", () => One(hub(), h => h.Published), "{message}",
            "Messages published to event-stream clients.");
        m.CreateObservableCounter("ecgstream.stream.dropped", () => One(hub(), h => h.Dropped), "{message}",
            "Messages dropped from full client buffers (slow or stalled clients).");
        m.CreateObservableCounter("ecgstream.stream.slow_clients", () => One(hub(), h => h.SlowClients), "{client}",
            "Event-stream clients disconnected for falling behind (http.slowClientSeconds), freeing their slots.");

        // cluster roles (docs/scale-out.md): absent unless the daemon has that role
        m.CreateObservableGauge("ecgstream.cluster.connected", () => One(feed(), f => f.Connected ? 1 : 0),
            description: "central: 1 while the events stream's durable consumer is attached.");
        m.CreateObservableCounter("ecgstream.cluster.events", () => FeedEvents(feed()), "{event}",
            "central: messages read from the events stream, by result (delivered to the sinks, duplicate, malformed).");
        m.CreateObservableCounter("ecgstream.gateway.samples", () => GatewaySamples(gateway()), "{sample}",
            "gateway: samples per lead by result (accepted into the buffer, acknowledged by the cluster, dropped on a full buffer).");
        m.CreateObservableGauge("ecgstream.gateway.buffered", () => One(gateway(), g => g.BlocksBuffered), "{block}",
            "gateway: blocks waiting for the cluster's acknowledgement.");
        m.CreateObservableCounter("ecgstream.gateway.retries", () => One(gateway(), g => g.Retries), "{publish}",
            "gateway: publishes retried (the cluster did not acknowledge).");
    }

    private static IEnumerable<Measurement<long>> FeedEvents(EcgStream.Cluster.EventFeed? f)
    {
        if (f is null) yield break;
        yield return new Measurement<long>(f.Delivered, new KeyValuePair<string, object?>("result", "delivered"));
        yield return new Measurement<long>(f.Duplicates, new KeyValuePair<string, object?>("result", "duplicate"));
        yield return new Measurement<long>(f.Malformed, new KeyValuePair<string, object?>("result", "malformed"));
    }

    private static IEnumerable<Measurement<long>> GatewaySamples(EcgStream.Cluster.BedGateway? g)
    {
        if (g is null) yield break;
        yield return new Measurement<long>(g.SamplesAccepted, new KeyValuePair<string, object?>("result", "accepted"));
        yield return new Measurement<long>(g.SamplesPublished, new KeyValuePair<string, object?>("result", "acknowledged"));
        yield return new Measurement<long>(g.SamplesDropped, new KeyValuePair<string, object?>("result", "dropped"));
    }

    public Meter Meter { get; }

    /// <summary>The model stage records each window's latency here (<see cref="Runtime.Inference.SchedulerOptions.EndToEndSeconds"/>).</summary>
    public Histogram<double> InferenceLatency { get; }

    public enum Refusal { Host, Token, Origin, Clients }

    public void Refused(Refusal reason) => _refused.Add(1, reason switch
    {
        Refusal.Host => RefusedHost,
        Refusal.Token => RefusedToken,
        Refusal.Origin => RefusedOrigin,
        _ => RefusedClients,
    });

    /// <summary>One event of <paramref name="bed"/>, and its latency (seconds). The tags are literals or the bed's own strings: nothing is allocated.</summary>
    public void Event(Bed bed, RhythmEvent e, double latencySeconds)
    {
        var tags = new System.Diagnostics.TagList
        {
            { "bed", bed.Id },
            { "type", e.Type == EventType.Rhythm ? "rhythm" : "alarm" },
            { "kind", e.Kind == EventKind.Onset ? "onset" : "offset" },
            { "rhythm", e.Rhythm },
            { "source", EventSources.Name(e.Source) },
        };
        _events.Add(1, tags);
        _eventLatency.Record(latencySeconds, bed.MetricTags);
    }

    public void Dispose() => Meter.Dispose();

    /// <summary>One unlabelled value of <paramref name="source"/>; none while it does not exist.</summary>
    private static IEnumerable<Measurement<T>> One<TSource, T>(TSource? source, Func<TSource, T> value) where TSource : class where T : struct =>
        source is null ? [] : [new Measurement<T>(value(source))];

    private static IEnumerable<Measurement<T>> PerBed<T>(IReadOnlyList<Bed> beds, Func<Bed, T> value) where T : struct
    {
        foreach (var b in beds) yield return new Measurement<T>(value(b), b.MetricTags);
    }

    private static IEnumerable<Measurement<double>> LastSampleAge(IReadOnlyList<Bed> beds)
    {
        foreach (var b in beds)
            if (b.LastSampleAgeSeconds is { } age) yield return new Measurement<double>(age, b.MetricTags);
    }

    private static IEnumerable<Measurement<long>> PerIngest(IReadOnlyList<Bed> beds, Func<Ingest.Wire.IngestCounters, long> value)
    {
        foreach (var b in beds)
            if (b.Ingest is { } c) yield return new Measurement<long>(value(c), b.MetricTags);
    }

    private static IEnumerable<Measurement<long>> IngestFrames(IReadOnlyList<Bed> beds)
    {
        foreach (var b in beds)
        {
            if (b.Ingest is not { } c) continue;
            yield return Frames(b, "ok", c.InfoFrames + c.DataFrames);
            yield return Frames(b, "unsupported", c.Unsupported);
            yield return Frames(b, "no_info", c.NoInfo);
            yield return Frames(b, "crc_error", c.CrcErrors);
            yield return Frames(b, "header_error", c.HeaderErrors);
            yield return Frames(b, "duplicate", c.Duplicates);
            yield return Frames(b, "malformed", c.Malformed);
        }
    }

    private static Measurement<long> Frames(Bed b, string result, long n) => new(n, new("bed", b.Id), new("result", result));

    private static IEnumerable<Measurement<long>> InferenceWindows(Runtime.Inference.InferenceScheduler? s)
    {
        if (s is null) yield break;
        yield return new Measurement<long>(s.WindowsScored, new KeyValuePair<string, object?>("result", "scored"));
        yield return new Measurement<long>(s.WindowsDropped, new KeyValuePair<string, object?>("result", "dropped"));
        yield return new Measurement<long>(s.WindowsUnreadable, new KeyValuePair<string, object?>("result", "unreadable"));
    }
}
