using System.Diagnostics.Metrics;
using EcgStream.Core.Events;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Metrics;
using EcgStream.Daemon.Streams;
using EcgStream.Runtime.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcgStream.Daemon.Tests;

/// <summary>The instruments themselves, read by a MeterListener (no HTTP, no OpenTelemetry).</summary>
public class DaemonMetricsTests
{
    private sealed record Seen(string Instrument, string? Unit, long Value, Dictionary<string, object?> Tags);

    /// <summary>Listens to <paramref name="metrics"/>' Meter only (other tests' daemons have Meters of the same name).</summary>
    private static MeterListener Listen(DaemonMetrics metrics, List<Seen> seen)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (ReferenceEquals(i.Meter, metrics.Meter)) l.EnableMeasurementEvents(i); },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Add(new(i.Name, i.Unit, v, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => seen.Add(new(i.Name, i.Unit, v, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Add(new(i.Name, i.Unit, (long)Math.Round(v * 1000), Tags(tags))));
        listener.Start();
        return listener;
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags) d[t.Key] = t.Value;
        return d;
    }

    private static Bed NewBed(string id) =>
        new(new BedConfig { Id = id, Source = new SourceConfig { Kind = SourceKind.Synthetic } }, new BedOptions(), null, _ => { }, null, 125,
            NullLogger.Instance);

    [Fact]
    public void Refusals_events_and_latencies_are_recorded_with_their_labels_and_units()
    {
        var bed = NewBed("icu-3");
        using var metrics = new DaemonMetrics(() => [bed], () => null, () => null);
        var seen = new List<Seen>();
        using var listener = Listen(metrics, seen);

        Assert.Equal("EcgStream", metrics.Meter.Name);
        metrics.Refused(DaemonMetrics.Refusal.Token);
        metrics.Refused(DaemonMetrics.Refusal.Token);
        metrics.Refused(DaemonMetrics.Refusal.Origin);
        var af = new RhythmEvent("icu-3", EventType.Rhythm, EventKind.Onset, "AF", 10, null, 12, 0.9, EventSource.Model);
        metrics.Event(bed, af, 0.042);

        var refused = seen.Where(s => s.Instrument == "ecgstream.http.refused").ToList();
        Assert.Equal(["token", "token", "origin"], refused.Select(s => (string?)s.Tags["reason"]));
        Assert.All(refused, s => Assert.Equal(1, s.Value));
        var ev = Assert.Single(seen, s => s.Instrument == "ecgstream.events");
        Assert.Equal("{event}", ev.Unit);
        Assert.Equal(new Dictionary<string, object?> { ["bed"] = "icu-3", ["type"] = "rhythm", ["kind"] = "onset", ["rhythm"] = "AF", ["source"] = "model" },
            ev.Tags);
        var latency = Assert.Single(seen, s => s.Instrument == "ecgstream.event.latency");
        Assert.Equal("s", latency.Unit);
        Assert.Equal(42, latency.Value); // ms, from 0.042 s
        Assert.Equal("icu-3", latency.Tags["bed"]);
    }

    [Fact]
    public void Observable_instruments_read_the_counts_kept_elsewhere_when_collected()
    {
        var beds = new[] { NewBed("a"), NewBed("b") };
        var hub = new EventHub(16);
        using var metrics = new DaemonMetrics(() => beds, () => hub, () => null);
        var seen = new List<Seen>();
        using var listener = Listen(metrics, seen);
        for (int i = 0; i < 5; i++) hub.Publish(new HubMessage("event", "a", [1]));

        listener.RecordObservableInstruments();

        Assert.Equal(5, Assert.Single(seen, s => s.Instrument == "ecgstream.stream.messages").Value);
        Assert.Equal(0, Assert.Single(seen, s => s.Instrument == "ecgstream.stream.clients").Value);
        var connected = seen.Where(s => s.Instrument == "ecgstream.bed.connected").ToList();
        Assert.Equal(["a", "b"], connected.Select(s => (string?)s.Tags["bed"]));
        Assert.All(connected, s => Assert.Equal(0, s.Value)); // no source has connected them
        Assert.Equal([0L, 0L], seen.Where(s => s.Instrument == "ecgstream.bed.samples").Select(s => s.Value));
        // before the first block there is no age, and beds without a wire decoder have no frame counts
        Assert.DoesNotContain(seen, s => s.Instrument is "ecgstream.bed.last_sample_age" or "ecgstream.ingest.frames");
        // no model configured: no model series at all
        Assert.DoesNotContain(seen, s => s.Instrument.StartsWith("ecgstream.inference.", StringComparison.Ordinal));
    }

    [Fact]
    public void Counting_a_refusal_or_an_event_allocates_nothing()
    {
        var bed = NewBed("icu-9");
        using var metrics = new DaemonMetrics(() => [bed], () => null, () => null);
        long total = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (ReferenceEquals(i.Meter, metrics.Meter)) l.EnableMeasurementEvents(i); },
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => total += v);
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => total++);
        listener.Start();
        var gap = new RhythmEvent("icu-9", EventType.Alarm, EventKind.Offset, "GAP", 1, 2, 2, 1, EventSource.Rule);
        metrics.Refused(DaemonMetrics.Refusal.Host); // first calls may set up lazily
        metrics.Event(bed, gap, 0.001);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            metrics.Refused(DaemonMetrics.Refusal.Clients);
            metrics.Event(bed, gap, 0.001);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(3 + 3000, total); // a refusal, an event and its latency first, then 1000 of each
    }
}
