using System.Diagnostics;
using System.Text.Json;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Sinks;
using EcgStream.Daemon.Sources;
using EcgStream.Daemon.Streams;
using EcgStream.Formats.Wfdb;
using EcgStream.Runtime.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcgStream.Daemon.Tests;

public class BackoffTests
{
    [Fact]
    public void Delays_double_up_to_the_ceiling_within_the_jitter()
    {
        var b = new Backoff(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(4), new Random(3));
        double[] nominal = [0.5, 1, 2, 4, 4, 4];
        foreach (var n in nominal)
        {
            double d = b.Next().TotalSeconds;
            Assert.InRange(d, n * (1 - Backoff.Jitter), n * (1 + Backoff.Jitter));
        }
        b.Reset();
        Assert.InRange(b.Next().TotalSeconds, 0.4, 0.6);
    }

    [Fact]
    public void Jitter_spreads_beds_that_drop_together()
    {
        var delays = Enumerable.Range(0, 50).Select(i => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(i)).Next().TotalSeconds).ToList();
        Assert.True(delays.Max() - delays.Min() > 0.2, $"delays span only {delays.Max() - delays.Min():F3} s");
    }
}

public class EventHubTests
{
    private static HubMessage Msg(int i) => new("event", "b", JsonSerializer.SerializeToUtf8Bytes(new { i }));

    [Fact]
    public async Task A_client_that_never_reads_is_bounded_and_others_get_everything()
    {
        var hub = new EventHub(clientBuffer: 8);
        using var stalled = hub.Connect("sse");
        using var reader = hub.Connect("sse");
        var got = new List<int>();
        var reading = Task.Run(async () =>
        {
            await foreach (var m in reader.Reader.ReadAllAsync())
                got.Add(JsonDocument.Parse(m.Json).RootElement.GetProperty("i").GetInt32());
        });
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 5000; i++)
        {
            hub.Publish(Msg(i));
            if (i % 64 == 0) await Task.Yield(); // let the reading client keep up, as a live one does
        }
        sw.Stop();
        hub.Complete();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(8, stalled.Reader.Count);           // bounded: only the newest 8 are held
        Assert.Equal(5000 - 8, stalled.Dropped);
        var kept = new List<int>();
        while (stalled.Reader.TryRead(out var m)) kept.Add(JsonDocument.Parse(m.Json).RootElement.GetProperty("i").GetInt32());
        Assert.Equal(Enumerable.Range(4992, 8), kept);   // DropOldest: the newest survive
        Assert.Equal(hub.Dropped, stalled.Dropped + reader.Dropped);
        Assert.Equal(5000, got.Count + (int)reader.Dropped);
        Assert.True(got.SequenceEqual(got.Order()), "a client receives in order");
        // a publisher blocked by the stalled client would never finish; 30 s only guards against that hang
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"publishing took {sw.Elapsed}");
    }

    [Fact]
    public void A_client_is_behind_from_its_first_lost_message_until_its_queue_empties_and_is_counted_slow_once()
    {
        var hub = new EventHub(clientBuffer: 4);
        using var client = hub.Connect("sse");
        for (int i = 0; i < 4; i++) hub.Publish(Msg(i));
        Assert.Null(client.BehindFor);   // full, nothing lost: not behind
        hub.Publish(Msg(4));
        var first = client.BehindFor;
        Assert.NotNull(first);
        // written out, but more keep coming: still behind, and counted from the first loss, not the latest
        Assert.True(client.Reader.TryRead(out _));
        client.MarkDelivered();
        hub.Publish(Msg(5));
        hub.Publish(Msg(6));
        Assert.True(client.BehindFor >= first);
        // the queue drains to half its capacity: catching up, no longer behind (3 of 4 queued: still behind)
        Assert.Equal(4, client.Reader.Count);
        Assert.True(client.Reader.TryRead(out _));
        client.MarkDelivered();
        Assert.NotNull(client.BehindFor);
        Assert.True(client.Reader.TryRead(out _));
        client.MarkDelivered();
        Assert.Null(client.BehindFor);

        client.MarkSlow();
        client.MarkSlow();
        Assert.True(client.Slow);
        Assert.Equal(1, hub.SlowClients);
    }

    [Fact]
    public void A_filtered_client_holds_only_what_it_asked_for()
    {
        var hub = new EventHub(4);
        using var onlyB = hub.Connect("sse", m => m.Bed == "b");
        for (int i = 0; i < 100; i++) hub.Publish(new HubMessage("strip", i % 10 == 0 ? "b" : "a", [(byte)'{', (byte)'}']));
        Assert.Equal(4, onlyB.Reader.Count);
        Assert.Equal(10 - 4, onlyB.Dropped); // the 90 messages of bed a never took room
    }

    [Fact]
    public void Disposed_clients_leave_the_hub()
    {
        var hub = new EventHub(4);
        var a = hub.Connect("sse");
        using var b = hub.Connect("websocket");
        Assert.Equal(2, hub.ClientCount);
        a.Dispose();
        Assert.Equal(1, hub.ClientCount);
        hub.Publish(Msg(1));
        Assert.Equal(1, b.Reader.Count);
        Assert.Equal(1, hub.Published);
    }
}

public class StripDecimatorTests
{
    [Fact]
    public void Averages_groups_of_samples_and_sends_chunks_with_their_time()
    {
        var sent = new List<JsonElement>();
        var strip = new StripDecimator("b1", targetRate: 100, m => sent.Add(JsonDocument.Parse(m.Json).RootElement.Clone()));
        // 500 Hz, leads I and II: II holds the sample index, so each average of 5 is its middle index
        var leads = LeadSet.Of(Lead.I, Lead.II);
        var data = new float[2 * 250];
        for (int i = 0; i < 250; i++) { data[i] = -1; data[250 + i] = 1000 + i; }
        strip.Push(new SampleBlock("b1", 1000, 500, leads, 250, data));
        // 0.2 s chunks at 100 Hz: 20 values each; 250 samples → 50 values → 2 chunks sent, 10 values pending
        Assert.Equal(2, sent.Count);
        Assert.Equal("strip", sent[0].GetProperty("type").GetString());
        Assert.Equal("II", sent[0].GetProperty("lead").GetString());
        Assert.Equal(100, sent[0].GetProperty("rate").GetDouble());
        Assert.Equal(2.0, sent[0].GetProperty("t").GetDouble());
        Assert.Equal(2.2, sent[1].GetProperty("t").GetDouble());
        var v = sent[0].GetProperty("mv").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(20, v.Length);
        Assert.Equal(1002, v[0], 3);  // mean of 1000..1004
        Assert.Equal(1097, v[19], 3); // mean of 1095..1099
    }
}

public class BedTests
{
    private static Bed NewBed(List<RhythmEvent> events) =>
        new(new BedConfig { Id = "bed-x", Source = new SourceConfig { Kind = SourceKind.Synthetic } }, BedOptions.Default, null,
            e => { lock (events) events.Add(e); }, null, 125, NullLogger.Instance);

    private static void PushFlat(Bed bed, long start, int n, float[] buf)
    {
        // a sawtooth-free, plausible signal is not needed: continuity is what is tested
        bed.Push(new SampleBlock("dev", start, 250, LeadSet.Of(Lead.II), n, buf.AsMemory(0, n)));
    }

    [Fact]
    public async Task A_restarted_source_is_rebased_on_the_host_clock_and_the_silence_is_a_gap()
    {
        var events = new List<RhythmEvent>();
        var bed = NewBed(events);
        var buf = new float[25];
        for (long s = 0; s < 250 * 4; s += 25) PushFlat(bed, s, 25, buf);     // 4 s of stream
        bed.MarkDiscontinuity();                                              // the device restarted
        await Task.Delay(1500);                                               // and was silent 1.5 s
        for (long s = 0; s < 250 * 2; s += 25) PushFlat(bed, s, 25, buf);     // its index starts at 0 again
        await bed.CompleteAsync(TimeSpan.FromSeconds(10));
        var gap = events.Single(e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset);
        Assert.Equal(4.0, gap.StartSeconds, 3);
        Assert.InRange(gap.EndSeconds!.Value - gap.StartSeconds, 1.3, 4.0); // host-clock silence (≥ the 1.5 s delay), less one block
        Assert.Equal(1, bed.Sessions);
    }

    [Fact]
    public async Task After_a_gap_no_alarm_is_raised_from_the_fill_and_detection_goes_on()
    {
        var events = new List<RhythmEvent>();
        var bed = NewBed(events);
        var scenario = EcgStream.Synthetic.ScenarioFile.Parse("""
            { "seed": 3, "sampleRate": 250, "leads": ["II"], "noise": { "snr": 30 },
              "segments": [ { "rhythm": "SR", "durationSeconds": 6, "heartRate": 70 },
                            { "rhythm": "PAUSE", "durationSeconds": 3.5 },
                            { "rhythm": "SR", "durationSeconds": 6, "heartRate": 70 } ] }
            """);
        var s = new EcgStream.Synthetic.SyntheticEcgStream(scenario, loop: true);
        while (s.PositionSeconds < 30)
        {
            var b = s.ReadBlock("dev", 25);
            if (b.StartSample >= 3 * 250 && b.StartSample < 4 * 250) continue; // one second lost
            bed.Push(b);
        }
        await bed.CompleteAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(events, e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset && e.StartSeconds == 3 && e.EndSeconds == 4);
        // the gap's fill is unreadable, not lead-off: no LEAD_OFF (the device never reported one), no PAUSE across it
        Assert.DoesNotContain(events, e => e.Rhythm == "LEAD_OFF");
        Assert.DoesNotContain(events, e => e.Rhythm == "PAUSE" && e.StartSeconds is > 2 and < 4);
        // and the pauses after the gap (6 s and 21.5 s into the loop) are still found
        Assert.Contains(events, e => e.Rhythm == "PAUSE" && e.Kind == EventKind.Onset && e.StartSeconds is > 4 and < 10);
        Assert.Contains(events, e => e.Rhythm == "PAUSE" && e.Kind == EventKind.Onset && e.StartSeconds > 20);
        Assert.All(events, e => EcgStream.Runtime.Sinks.EventJson.ToJson(e)); // every event can be written as JSON
    }

    [Fact]
    public async Task A_new_sample_rate_starts_a_new_session_with_time_running_on()
    {
        var events = new List<RhythmEvent>();
        var bed = NewBed(events);
        var buf = new float[50];
        for (long s = 0; s < 250 * 2; s += 25) PushFlat(bed, s, 25, buf);
        bed.Push(new SampleBlock("dev", 0, 500, LeadSet.Of(Lead.II), 50, buf));
        Assert.Equal(2, bed.Sessions);
        Assert.Equal(500, bed.SampleRate);
        await bed.CompleteAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(new[] { 250, 500, 250 }, new[] { 30.0, 5, 5 })]
    [InlineData(new[] { 250, 1, 100_000, 250 }, new[] { 30.0, 5, 1, 5 })]
    public async Task Rate_changes_keep_stream_time_and_the_loss_after_them_starts_at_the_last_sample(int[] rates, double[] seconds)
    {
        var events = new List<RhythmEvent>();
        var bed = new Bed(new BedConfig { Id = "bed-x", SignalLossSeconds = 0.2, Source = new SourceConfig { Kind = SourceKind.Synthetic } },
            BedOptions.Default, null, e => { lock (events) events.Add(e); }, null, 125, NullLogger.Instance);
        for (int phase = 0; phase < rates.Length; phase++)
        {
            if (phase > 0) bed.MarkDiscontinuity(); // the device sent a new INFO: its index starts again
            int rate = rates[phase], n = Math.Max(1, rate / 10);
            var buf = new float[n];
            for (long s = 0; s < (long)(seconds[phase] * rate); s += n)
                bed.Push(new SampleBlock("dev", s, rate, LeadSet.Of(Lead.II), n, buf));
        }
        await Support.Until(() => { bed.CheckSignal(); return bed.SignalLost; }, TimeSpan.FromSeconds(10), "SIGNAL_LOSS after the last block");
        await bed.CompleteAsync(TimeSpan.FromSeconds(10));
        List<RhythmEvent> all;
        lock (events) all = [.. events];
        string dump = string.Join("\n", all.Select(EcgStream.Runtime.Sinks.EventJson.ToJson));
        Assert.Equal(rates.Length, bed.Sessions);
        Assert.Equal(0, bed.StreamRestarts);
        Assert.DoesNotContain(all, e => e.Rhythm == "STREAM_RESTART");
        // no gap from the rate changes: the only GAP is the one the silence at the end opened
        var loss = Assert.Single(all, e => e.Rhythm == "SIGNAL_LOSS" && e.Kind == EventKind.Onset);
        Assert.Equal(seconds.Sum(), loss.StartSeconds, 6);
        Assert.All(all.Where(e => e.Rhythm == "GAP"), e => Assert.Equal(seconds.Sum(), e.StartSeconds, 6));
        Assert.All(all.Where(e => e.EndSeconds is not null), e => Assert.True(e.EndSeconds >= e.StartSeconds, dump));
    }

    [Fact]
    public async Task A_silence_before_a_new_sample_rate_is_a_gap()
    {
        var events = new List<RhythmEvent>();
        var bed = NewBed(events);
        var buf = new float[50];
        for (long s = 0; s < 250 * 4; s += 25) PushFlat(bed, s, 25, buf);     // 4 s at 250 Hz
        bed.MarkDiscontinuity();                                              // a new INFO, after 1.5 s of silence
        await Task.Delay(1500);
        for (long s = 0; s < 500 * 2; s += 50) bed.Push(new SampleBlock("dev", s, 500, LeadSet.Of(Lead.II), 50, buf));
        await bed.CompleteAsync(TimeSpan.FromSeconds(10));
        var gap = Assert.Single(events, e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset);
        Assert.Equal(4.0, gap.StartSeconds, 3);
        Assert.InRange(gap.EndSeconds!.Value - gap.StartSeconds, 1.3, 4.0); // host-clock silence (≥ the 1.5 s delay), less one block
        Assert.Equal(2, bed.Sessions);
    }
}

public class WfdbSinkTests
{
    [Fact]
    public void Episodes_become_rhythm_annotations_at_the_bed_rate()
    {
        var dir = Support.TempDir();
        var sink = new WfdbAnnotationSink(dir, EventSource.Rule);
        sink.OnEvent(new RhythmEvent("b1", EventType.Rhythm, EventKind.Onset, "AF", 10, null, 20, 0.9, EventSource.Rule), 500);
        sink.OnEvent(new RhythmEvent("b1", EventType.Alarm, EventKind.Onset, "PAUSE", 12, null, 14, 1, EventSource.Rule), 500); // not a rhythm
        sink.OnEvent(new RhythmEvent("b1", EventType.Rhythm, EventKind.Onset, "STACH", 11, null, 21, 0.9, EventSource.Model), 500); // other source
        var files = sink.Flush();
        Assert.Equal([Path.Combine(dir, "b1.atr")], files);
        var open = Wfdb.ReadAnnotations(Path.Combine(dir, "b1"));
        Assert.Equal([(5000L, "(AFIB"), (10000L, "(N")], open.Select(a => (a.Sample, a.Aux!))); // open episode ends at the newest detection
        sink.OnEvent(new RhythmEvent("b1", EventType.Rhythm, EventKind.Offset, "AF", 10, 30, 40, 0.9, EventSource.Rule), 500);
        sink.Flush();
        var closed = Wfdb.ReadAnnotations(Path.Combine(dir, "b1"));
        Assert.Equal([(5000L, "(AFIB"), (15000L, "(N")], closed.Select(a => (a.Sample, a.Aux!)));
        Assert.Empty(sink.Flush()); // nothing changed: nothing written
    }
}
