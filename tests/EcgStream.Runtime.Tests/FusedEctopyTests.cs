using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Evaluation;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Replay;
using EcgStream.Synthetic;
using Xunit.Abstractions;

namespace EcgStream.Runtime.Tests;

/// <summary>
/// The fused source on synthetic ectopy with a model that is wrong in the way the shipped one was on MIT-BIH 215 and 209:
/// certain of AF for the whole stream. What keeps the alarm quiet is the rest of the chain — the rules' ectopy checks,
/// the fusion's veto, the fused tracker's AF onset evidence — and the same chain must still alarm on AF.
/// </summary>
public class FusedEctopyTests(ITestOutputHelper output)
{
    /// <summary>P(AF) = 0.9 for every window (threshold 0.45, as the shipped model's): evidence 0.91, past "confident".</summary>
    private sealed class CertainOfAf : IWindowClassifier
    {
        private readonly float[] _ecg = new float[12 * 2250], _mask = new float[12], _out = new float[RhythmClasses.Count];
        private readonly float[] _rhythm = new float[Core.Models.ModelContract.RhythmFeatureCount];
        public string ModelId => "certain-of-af";
        public int MaxBatch => 1;
        public int WindowLength => 2250;
        public IReadOnlyList<double> Thresholds { get; } = Enumerable.Range(0, RhythmClasses.Count).Select(c => c == (int)RhythmClass.AF ? 0.45 : 0.5).ToArray();
        public Span<float> Ecg(int slot) => _ecg;
        public Span<float> LeadMask(int slot) => _mask;
        public Span<float> Rhythm(int slot) => _rhythm;
        public ReadOnlySpan<float> Probabilities(int slot) => _out;
        public void Run(int batch)
        {
            _out.AsSpan().Fill(0.05f);
            _out[(int)RhythmClass.AF] = 0.9f;
        }
        public void Dispose() { }
    }

    private async Task<(EpisodeMetrics Fused, SimulatedRecord Sim)> Run(params ScenarioSegment[] segments)
    {
        var sim = Simulator.Run(new Scenario { Seed = 23, SampleRate = 250, Leads = LeadSet.Of(Lead.I, Lead.II), Noise = new NoiseSpec { Snr = 24 }, Segments = segments });
        using var model = new CertainOfAf();
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
        var events = new List<RhythmEvent>();
        await ReplayRunner.RunAsync(sim.Recording, events.Add, new ReplayOptions { StreamId = "syn" }, model: scheduler);
        // the model was asked about every window (one a second once the first 9 s are in): its certainty was in play throughout
        Assert.InRange(scheduler.WindowsScored, (long)sim.DurationSeconds - 10, (long)sim.DurationSeconds);
        var fused = events.Where(e => e.Source == EventSource.Fused && e.Type == EventType.Rhythm).ToList();
        // where each fused AF episode lies says what raised it (the stream's start, the ectopy, the AF)
        output.WriteLine(string.Join(" → ", segments.Select(g => $"{g.Rhythm} {g.DurationSeconds:F0} s")) + ": fused AF " +
            string.Join(", ", EpisodeMetrics.Pair("AF", fused).Select(p => $"{p.Episode.StartSeconds:F0}–{p.Episode.EndSeconds:F0} s (raised at {p.OnsetDetected:F0} s)")));
        return (EpisodeMetrics.Compute("AF", sim.Truth, fused), sim);
    }

    [Theory]
    [InlineData("BIGEMINY", null, null)]
    [InlineData("TRIGEMINY", null, null)]
    [InlineData("PVC", "isolated", 0.3)]
    // Premature atrial beats (no compensatory pause) at 10 %. At 20 % the rules read them as AF often enough that this
    // model, certain of AF throughout, raises one fused episode (seed 23: 340–350 s): a known limit (docs/results.md,
    // "Rules and frequent PACs"; the shipped model raises none there).
    [InlineData("PAC", "pac", 0.1)]
    public async Task Ectopy_raises_no_fused_af_even_with_a_model_certain_of_it(string rhythm, string? ectopy, double? rate)
    {
        var (fused, sim) = await Run(
            new ScenarioSegment("SR", 60, HeartRate: 72),
            new ScenarioSegment(rhythm, 300, HeartRate: 75, Ectopy: ectopy, EctopyRate: rate),
            new ScenarioSegment("SR", 60, HeartRate: 70));
        Assert.Contains(rhythm == "PAC" ? 'A' : 'V', sim.BeatCodes);   // the ectopy is there
        Assert.Equal(0, fused.DetectedEpisodes);
    }

    [Fact]
    public async Task Runs_of_regular_supraventricular_tachycardia_raise_no_fused_af()
    {
        // SVTA-like: regular fast runs of 15–40 s between stretches of sinus rhythm (MIT-BIH 209 has them)
        var (fused, _) = await Run(
            new ScenarioSegment("SR", 60, HeartRate: 75),
            new ScenarioSegment("SVT", 20, HeartRate: 160),
            new ScenarioSegment("SR", 60, HeartRate: 78),
            new ScenarioSegment("SVT", 40, HeartRate: 150),
            new ScenarioSegment("SR", 60, HeartRate: 72),
            new ScenarioSegment("SVT", 15, HeartRate: 170),
            new ScenarioSegment("SR", 60, HeartRate: 75));
        Assert.Equal(0, fused.DetectedEpisodes);
    }

    [Fact]
    public async Task Af_after_ectopy_still_alarms_and_soon()
    {
        var (fused, _) = await Run(
            new ScenarioSegment("SR", 90, HeartRate: 72, Ectopy: "isolated", EctopyRate: 0.15),
            new ScenarioSegment("AF", 180, HeartRate: 105),
            new ScenarioSegment("SR", 90, HeartRate: 70));
        Assert.Equal((1, 1, 1), (fused.ReferenceEpisodes, fused.ReferenceEpisodesDetected, fused.DetectedEpisodes));
        Assert.InRange(fused.MedianOnsetLatency, 0, 30);
    }
}
