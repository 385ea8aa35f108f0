using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Pipeline;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;
using EcgStream.Inference.Contract;
using EcgStream.Ingest.Replay;
using EcgStream.Onnx.Contract;
using EcgStream.Runtime.Evaluation;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Replay;
using EcgStream.Synthetic;
using EcgStream.Tests;
using Google.Protobuf;

namespace EcgStream.Runtime.Tests;

/// <summary>Whole records through the whole pipeline, as `ecgstream replay` runs them.</summary>
public class EndToEndTests
{
    private static SimulatedRecord ParoxysmalAf(LeadSet leads, double fs = 500) => Simulator.Run(new Scenario
    {
        Seed = 17,
        SampleRate = fs,
        Leads = leads,
        Noise = new NoiseSpec { Snr = 24 },
        Segments =
        [
            new ScenarioSegment("SR", 150, HeartRate: 70),
            new ScenarioSegment("AF", 240, HeartRate: 110),
            new ScenarioSegment("SR", 150, HeartRate: 75),
        ],
    });

    private static async Task<List<RhythmEvent>> Replay(Recording rec, InferenceScheduler? model = null, double drop = 0)
    {
        var events = new List<RhythmEvent>();
        await ReplayRunner.RunAsync(rec, events.Add, new ReplayOptions { StreamId = rec.Name, DropProbability = drop, FaultSeed = 3 }, model: model);
        return events;
    }

    [Fact]
    public async Task Rules_find_a_synthetic_af_episode_with_onset_and_offset()
    {
        var sim = ParoxysmalAf(LeadSet.Of(Lead.I, Lead.II));
        var events = await Replay(sim.Recording);
        var m = EpisodeMetrics.Compute("AF", sim.Truth, events.Where(e => e.Source == EventSource.Rule));
        Assert.Equal(1, m.ReferenceEpisodesDetected);
        Assert.Equal(1.0, m.EpisodePositivePredictivity);
        Assert.True(m.DurationSensitivity > 0.8, $"AF duration sensitivity {m.DurationSensitivity:F2}");
        Assert.InRange(m.MedianOnsetLatency, 0, 60);
        // without a model the fused source is the rules' own: the same episodes, "source":"fused"
        var fused = events.Where(e => e.Source == EventSource.Fused).ToList();
        Assert.NotEmpty(fused);
        Assert.Equal(events.Where(e => e.Source == EventSource.Rule && e.Type == EventType.Rhythm).Select(e => e with { Source = EventSource.Fused }), fused);
    }

    [Fact]
    public async Task A_contract_model_built_by_the_writer_drives_the_replay_and_its_events_say_model()
    {
        var sim = ParoxysmalAf(LeadSet.All);
        var bytes = ContractModels.BuildRuleLikeModel().ToByteArray();
        using var classifier = RhythmModel.Load(bytes);
        using var scheduler = new InferenceScheduler(classifier, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
        var events = await Replay(sim.Recording, scheduler);
        var modelEvents = events.Where(e => e.Source == EventSource.Model).ToList();
        Assert.NotEmpty(modelEvents);
        Assert.All(modelEvents, e => Assert.Equal("contract-test", e.ModelId));
        Assert.Contains(events, e => e.Source == EventSource.Rule); // rules run beside the model
        // One window per second of stream once the first 9 s are in, none dropped.
        Assert.InRange(scheduler.WindowsScored, (long)sim.DurationSeconds - 10, (long)sim.DurationSeconds - 7);
        Assert.Equal(0, scheduler.WindowsDropped);
        // Every model episode is closed, and no event precedes what it describes.
        foreach (var rhythm in modelEvents.Select(e => e.Rhythm).Distinct())
            Assert.NotNull(EpisodeMetrics.Pair(rhythm, modelEvents));
        // the fused source runs beside them, its episodes closed too, stamped with the model
        var fused = events.Where(e => e.Source == EventSource.Fused).ToList();
        Assert.All(fused, e => Assert.Equal(("contract-test", EventType.Rhythm), (e.ModelId, e.Type)));
        foreach (var rhythm in fused.Select(e => e.Rhythm).Distinct())
            Assert.NotNull(EpisodeMetrics.Pair(rhythm, fused));
    }

    [Fact]
    public async Task Gaps_in_the_stream_are_reported_with_their_extent_and_the_stream_goes_on()
    {
        var sim = ParoxysmalAf(LeadSet.Of(Lead.II), 250);
        var events = await Replay(sim.Recording, drop: 0.02);
        var gaps = events.Where(e => e.Rhythm == "GAP").ToList();
        Assert.NotEmpty(gaps);
        double block = Math.Round(0.25 * 250) / 250; // ReplayOptions.BlockSeconds in whole samples
        // Each gap spans the dropped blocks exactly (consecutive drops make one longer gap).
        Assert.All(gaps.Where(g => g.Kind == EventKind.Offset), g =>
        {
            double blocks = (g.EndSeconds!.Value - g.StartSeconds) / block;
            Assert.True(blocks > 0.5 && Math.Abs(blocks - Math.Round(blocks)) < 1e-6, $"gap of {blocks} blocks");
        });
        Assert.True(EpisodeMetrics.Compute("AF", sim.Truth, events.Where(e => e.Source == EventSource.Rule)).ReferenceEpisodesDetected == 1, "AF still found with 2% of blocks lost");
    }

    [DataFact("mitdb")]
    public async Task Mitdb_201_and_203_af_events_overlap_the_annotated_af_episodes()
    {
        foreach (var name in new[] { "201", "203" })
        {
            var path = TestData.PathOf("mitdb", name);
            var rec = RecordReader.Read(path);
            var reference = RhythmLabels.ToEpisodes(Wfdb.ReadAnnotations(path), rec.SampleRate, rec.Length).Episodes;
            var m = EpisodeMetrics.Compute("AF", reference, (await Replay(rec)).Where(e => e.Source == EventSource.Rule));
            Assert.True(m.EpisodeSensitivity >= 0.9, $"{name}: AF episode sensitivity {m.EpisodeSensitivity:F2}");
            // 201 went from 0.67 to 0.40 with the ectopy checks (docs/results.md "Rule AF detector and ectopy"): its one
            // long false episode (nodal rhythm, trigeminy) is cut into three shorter ones, false AF time 1081 → 785 s.
            Assert.True(m.EpisodePositivePredictivity >= 0.4, $"{name}: AF episode PPV {m.EpisodePositivePredictivity:F2}");
            Assert.True(m.DurationSensitivity >= 0.8, $"{name}: AF duration sensitivity {m.DurationSensitivity:F2}");
        }
    }
}

public class GapTests
{
    [Fact]
    public async Task A_long_gap_is_reported_once_and_raises_no_pause()
    {
        var sim = Simulator.Run(new Scenario
        {
            Seed = 9, SampleRate = 250, Leads = LeadSet.Of(Lead.I, Lead.II), Noise = new NoiseSpec { Snr = 30 },
            Segments = [new ScenarioSegment("SR", 200, HeartRate: 72)],
        });
        var leads = RecordingLeads.Of(sim.Recording);
        // Lose 100.0–106.0 s (e.g. a dropped connection).
        var blocks = System.Reactive.Linq.Observable.Where(
            RecordingSource.Play(250, leads.Leads, leads.Planes, new ReplayOptions { BlockSeconds = 0.5, StreamId = "bed" }),
            b => b.StartSeconds < 100 || b.StartSeconds >= 106);
        var events = new List<RhythmEvent>();
        var done = new TaskCompletionSource();
        using var sub = Pipeline.BedPipeline.Events(blocks).Subscribe(events.Add, e => done.SetException(e), () => done.SetResult());
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var gap = Assert.Single(events, e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset);
        Assert.Equal(100, gap.StartSeconds, 6);
        Assert.Equal(106, gap.EndSeconds!.Value, 6);
        Assert.DoesNotContain(events, e => e.Rhythm is "PAUSE" or "ASYSTOLE");
        Assert.All(events, e => Assert.True(e.StartSeconds >= 0, $"{e.Rhythm} starts at {e.StartSeconds}"));
    }
}

/// <summary>A pipeline told not to score the windows of a warm-up: the model sees only the later windows, the rules everything.</summary>
public sealed class ScoreWindowsTests
{
    [Fact]
    public async Task Windows_cut_while_scoring_is_off_never_reach_the_model_and_the_rules_do_not_notice()
    {
        var rec = Simulator.Run(new Scenario { Seed = 5, SampleRate = 500, Leads = LeadSet.All, Segments = [new ScenarioSegment("SR", 40, HeartRate: 72)] }).Recording;
        async Task<(List<RhythmEvent> Events, long Scored)> Run(double scoreFromSeconds)
        {
            var bytes = ContractModels.BuildRuleLikeModel().ToByteArray();
            using var classifier = RhythmModel.Load(bytes);
            using var scheduler = new InferenceScheduler(classifier, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
            var input = new System.Reactive.Subjects.Subject<SampleBlock>();
            long pushingEnd = 0;
            long from = (long)(scoreFromSeconds * rec.SampleRate);
            var events = new List<RhythmEvent>();
            var done = new TaskCompletionSource();
            using var sub = BedPipeline.Events(input, model: scheduler, scoreWindows: () => pushingEnd >= from)
                .Subscribe(e => { lock (events) events.Add(e); }, e => done.TrySetException(e), () => done.TrySetResult());
            int n = 125, leads = rec.Samples.Length;
            var block = new float[n * leads];
            for (int start = 0; start + n <= rec.Length; start += n)
            {
                for (int c = 0; c < leads; c++) rec.Samples[c].AsSpan(start, n).CopyTo(block.AsSpan(c * n, n));
                pushingEnd = start + n;
                input.OnNext(new SampleBlock("bed", start, rec.SampleRate, rec.Leads, n, block.AsMemory()));
            }
            input.OnCompleted();
            await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return (events, scheduler.WindowsScored);
        }
        var all = await Run(0);
        var late = await Run(25);
        // 40 s: windows end every second from 9 s on (32); from 25 s of input on, those ending at 25…40 s (16)
        Assert.InRange(all.Scored, 30, 32);
        Assert.InRange(late.Scored, 14, 17);
        Assert.Equal(all.Events.Where(e => e.Source == EventSource.Rule), late.Events.Where(e => e.Source == EventSource.Rule));
    }
}
