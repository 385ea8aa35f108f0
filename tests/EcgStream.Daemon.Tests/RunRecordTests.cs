using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Events;
using EcgStream.Daemon.Configuration;

namespace EcgStream.Daemon.Tests;

/// <summary>Runs leave records that can be told apart and are never overwritten by the next run.</summary>
public class RunRecordTests
{
    [Fact]
    public async Task Two_runs_append_events_with_their_own_run_id_and_utc_time_and_the_first_runs_annotations_survive()
    {
        var dir = Support.TempDir();
        var scenario = Support.ScenarioFile(dir, """
            { "seed": 21, "sampleRate": 500, "leads": ["I", "II", "V1"], "noise": { "snr": 30 },
              "segments": [ { "rhythm": "SR", "durationSeconds": 10, "heartRate": 70 },
                            { "rhythm": "AF", "durationSeconds": 600, "heartRate": 100 } ] }
            """);
        string jsonl = Path.Combine(dir, "events.jsonl"), wfdb = Path.Combine(dir, "atr"), atrFile = Path.Combine(wfdb, "af-bed.atr");
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "af-bed", Source = new SourceConfig { Kind = SourceKind.Synthetic, Scenario = scenario, Speed = 20 } }],
            Sinks = new SinksConfig { Jsonl = jsonl, Wfdb = wfdb, WfdbIntervalSeconds = 1 },
        };
        var runs = new List<string>();
        byte[]? firstRunAtr = null;
        for (int run = 0; run < 2; run++)
        {
            var events = new List<RhythmEvent>();
            var before = DateTimeOffset.UtcNow;
            var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = e => { lock (events) events.Add(e); } });
            runs.Add(host.RunId);
            await Support.Until(() => { lock (events) return events.Any(e => e.Rhythm == "AF" && e.Kind == EventKind.Onset); }, TimeSpan.FromSeconds(30), "AF onset");
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await host.DisposeAsync();
            lock (events)
            {
                Assert.All(events, e => Assert.Equal(host.RunId, e.RunId));
                Assert.All(events, e => Assert.InRange(e.DetectedUtc!.Value, before, DateTimeOffset.UtcNow));
            }
            if (run == 0) firstRunAtr = File.ReadAllBytes(atrFile);
        }
        Assert.NotEqual(runs[0], runs[1]);

        // one JSON-lines file, both runs, each line saying which run and when (UTC, ISO 8601)
        var lines = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(runs, lines.Select(l => l.GetProperty("run").GetString()!).Distinct());
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", l.GetProperty("detected_utc").GetString()));
        Assert.All(lines, l => DateTime.ParseExact(l.GetProperty("detected_utc").GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        // the AF episode still open at each stop is closed by the shutdown, and says so (the rules' and, no model
        // running, the fused source's copy of it)
        var afOffsets = lines.Where(l => l.GetProperty("rhythm").GetString() == "AF" && l.GetProperty("kind").GetString() == "offset").ToList();
        Assert.Equal(["fused", "fused", "rule", "rule"], afOffsets.Select(l => l.GetProperty("source").GetString()).Order());
        Assert.All(afOffsets, l => Assert.Equal("shutdown", l.GetProperty("end_reason").GetString()));
        // onsets never carry one; no stream restart happened here
        Assert.All(lines.Where(l => l.GetProperty("kind").GetString() == "onset"), l => Assert.False(l.TryGetProperty("end_reason", out _)));
        Assert.All(lines.Where(l => l.TryGetProperty("end_reason", out _)), l => Assert.Equal("shutdown", l.GetProperty("end_reason").GetString()));

        // the first run's annotation file was rotated aside, byte for byte, not overwritten
        var rotated = Directory.GetFiles(wfdb, "af-bed.atr.*").Where(f => f != atrFile); // the pattern also matches af-bed.atr
        var kept = Assert.Single(rotated);
        Assert.Matches(@"af-bed\.atr\.\d{8}T\d{6}Z$", kept);
        Assert.Equal(firstRunAtr, File.ReadAllBytes(kept));
        var annotator = Path.GetFileName(kept)["af-bed.".Length..];
        var atr = EcgStream.Formats.Wfdb.Wfdb.ReadAnnotations(Path.Combine(wfdb, "af-bed"), annotator);
        Assert.Equal("(AFIB", atr[0].Aux);
        Assert.Equal("(AFIB", EcgStream.Formats.Wfdb.Wfdb.ReadAnnotations(Path.Combine(wfdb, "af-bed"))[0].Aux); // this run's
    }
}
