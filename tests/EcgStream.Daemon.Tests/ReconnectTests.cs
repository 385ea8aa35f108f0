using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Demo;
using EcgStream.Synthetic;

namespace EcgStream.Daemon.Tests;

public class ReconnectTests
{
    [Fact]
    public async Task The_daemon_survives_a_source_that_drops_and_comes_back_and_reports_the_gap()
    {
        const double speed = 5;
        var dir = Support.TempDir();
        var scenario = ScenarioFile.Load(Support.ScenarioFile(dir, """
            { "seed": 3, "sampleRate": 500, "leads": ["I", "II", "V1"], "noise": { "snr": 30 },
              "segments": [ { "rhythm": "SR", "durationSeconds": 6, "heartRate": 70 },
                            { "rhythm": "PAUSE", "durationSeconds": 3.5 },
                            { "rhythm": "SR", "durationSeconds": 6, "heartRate": 70 } ] }
            """));
        await using var device = new SimulatedWireDevice(new SyntheticEcgStream(scenario, loop: true), speed);
        device.Start();
        var events = new List<RhythmEvent>();
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "icu-7", Source = new SourceConfig { Kind = SourceKind.TcpClient, Port = device.Port, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.4 } }],
        };
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = e => { lock (events) events.Add(e); } });
        var bed = host.Bed("icu-7");
        await Support.Until(() => bed.Samples >= 3 * 500, TimeSpan.FromSeconds(20), "3 s of signal");

        // the device goes away for a while (connections are refused by closing them at once)
        device.AcceptClients = false;
        long unsentBefore = device.FramesUnsent;
        device.DropClient();
        await Support.Until(() => !bed.Connected, TimeSpan.FromSeconds(5), "the bed to notice the drop");
        await Task.Delay(1500);
        Assert.False(bed.Connected);
        device.AcceptClients = true;
        await Support.Until(() => bed.Connected && bed.Reconnects >= 1, TimeSpan.FromSeconds(10), "the bed to reconnect");
        long lost = device.FramesUnsent - unsentBefore;
        double resumedAt = device.PositionSeconds;

        // the gap is reported, exactly as long as the frames lost
        await Support.Until(() => { lock (events) return events.Any(e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset); },
            TimeSpan.FromSeconds(10), "a GAP event");
        RhythmEvent gap;
        lock (events) gap = events.Single(e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset);
        Assert.Equal(lost * 10 / 500.0, gap.EndSeconds!.Value - gap.StartSeconds, 3);
        Assert.Equal(1, bed.Ingest!.Gaps);
        Assert.Equal(lost, bed.Ingest.GapFrames);

        // and events resume: a pause after the reconnect is detected
        try
        {
            await Support.Until(() => { lock (events) return events.Any(e => e.Rhythm == "PAUSE" && e.StartSeconds > gap.EndSeconds); },
                TimeSpan.FromSeconds(20), $"a PAUSE after the gap (resumed at {resumedAt:F1} s)");
        }
        catch (TimeoutException t)
        {
            lock (events) throw new TimeoutException(t.Message + "; events: " + string.Join("; ", events.Select(EcgStream.Runtime.Sinks.EventJson.ToJson)));
        }
        using var http = Support.Client(host);
        var metrics = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.True(metrics["ecgstream_bed_reconnects_total{bed=\"icu-7\"}"] >= 1);
        Assert.Equal(1, metrics["ecgstream_ingest_gaps_total{bed=\"icu-7\"}"]);
        Assert.Equal(1, metrics["ecgstream_events_total{bed=\"icu-7\",kind=\"offset\",rhythm=\"GAP\",source=\"rule\",type=\"alarm\"}"]);
    }

    [Fact]
    public async Task Shutdown_closes_open_episodes_and_flushes_the_sinks()
    {
        var dir = Support.TempDir();
        var scenario = Support.ScenarioFile(dir, """
            { "seed": 21, "sampleRate": 500, "leads": ["I", "II", "V1"], "noise": { "snr": 30 },
              "segments": [ { "rhythm": "SR", "durationSeconds": 10, "heartRate": 70 },
                            { "rhythm": "AF", "durationSeconds": 600, "heartRate": 100 } ] }
            """);
        string jsonl = Path.Combine(dir, "events.jsonl"), wfdb = Path.Combine(dir, "atr");
        var events = new List<RhythmEvent>();
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "af-bed", Source = new SourceConfig { Kind = SourceKind.Synthetic, Scenario = scenario, Speed = 20 } }],
            Sinks = new SinksConfig { Jsonl = jsonl, Wfdb = wfdb, WfdbIntervalSeconds = 1 },
        };
        var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = e => { lock (events) events.Add(e); } });
        await Support.Until(() => { lock (events) return events.Any(e => e.Rhythm == "AF" && e.Kind == EventKind.Onset); }, TimeSpan.FromSeconds(30), "AF onset");
        await Support.Until(() => File.Exists(Path.Combine(wfdb, "af-bed.atr")), TimeSpan.FromSeconds(10), "the periodic WFDB write");
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        double stopped = host.Bed("af-bed").Samples / 500.0;
        await host.DisposeAsync();

        var lines = File.ReadAllLines(jsonl).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        // the fused source's episode: what alarms, and what the WFDB annotations hold
        var afOff = lines.Single(l => l.GetProperty("rhythm").GetString() == "AF" && l.GetProperty("kind").GetString() == "offset" && l.GetProperty("source").GetString() == "fused");
        // closed at the end of the stream: at the rules' last decision, which trails the newest sample by the detection delay
        Assert.InRange(afOff.GetProperty("end_s").GetDouble(), stopped - 3, stopped);
        var atr = EcgStream.Formats.Wfdb.Wfdb.ReadAnnotations(Path.Combine(wfdb, "af-bed"));
        Assert.Equal("(AFIB", atr[0].Aux); // MIT-BIH's rhythm label for AF
        Assert.Equal("(N", atr[^1].Aux);
        // the final write holds the closed episode, closed where the event closed it (the same bound as its end_s above: a
        // 1 s tolerance failed once, 507 samples behind, when the rules' last decision trailed by more than a second)
        Assert.InRange(atr[^1].Sample, (stopped - 3) * 500, stopped * 500);
        Assert.Equal(0, host.Hub.ClientCount);
    }
}
