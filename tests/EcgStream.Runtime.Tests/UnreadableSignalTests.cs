using EcgStream.Core.Events;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Replay;
using System.Reactive.Subjects;

namespace EcgStream.Runtime.Tests;

/// <summary>
/// A lead that is off or flat is not a rhythm: the model never sees a window with no readable lead, so a model that
/// calls anything it is shown ventricular ectopy (as the shipped one called a flat line flutter and VECT) raises nothing.
/// </summary>
public class UnreadableSignalTests
{
    /// <summary>P(VECT) = P(AFL) = 0.95 for every window it is asked about.</summary>
    private sealed class CallsEverythingVect : IWindowClassifier
    {
        private readonly float[] _ecg = new float[12 * 2250], _mask = new float[12], _out = new float[RhythmClasses.Count];
        public int Runs;
        public string ModelId => "calls-everything-vect";
        public int MaxBatch => 1;
        public int WindowLength => 2250;
        public IReadOnlyList<double> Thresholds { get; } = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
        public Span<float> Ecg(int slot) => _ecg;
        public Span<float> LeadMask(int slot) => _mask;
        public ReadOnlySpan<float> Probabilities(int slot) => _out;
        public void Run(int batch)
        {
            Runs++;
            _out.AsSpan().Fill(0.05f);
            _out[(int)RhythmClass.VECT] = _out[(int)RhythmClass.AFL] = 0.95f;
        }
        public void Dispose() { }
    }

    [Fact]
    public async Task A_flat_record_raises_lead_off_and_no_model_or_fused_rhythm()
    {
        var flat = new Recording
        {
            Name = "flat", SampleRate = 250, Signals = [new SignalInfo { Name = "I" }, new SignalInfo { Name = "II" }],
            Samples = [new float[60 * 250], new float[60 * 250]],
        };
        using var model = new CallsEverythingVect();
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
        var events = new List<RhythmEvent>();
        await ReplayRunner.RunAsync(flat, events.Add, new ReplayOptions { StreamId = "flat" }, model: scheduler);

        var onset = Assert.Single(events, e => e.Rhythm == "LEAD_OFF" && e.Kind == EventKind.Onset);
        // still off when the record ends: closed with it (at the last rule decision), not left open for ever
        var offset = Assert.Single(events, e => e.Rhythm == "LEAD_OFF" && e.Kind == EventKind.Offset);
        Assert.Equal(onset.StartSeconds, offset.StartSeconds);
        Assert.InRange(offset.EndSeconds!.Value, 59, 60);
        Assert.DoesNotContain(events, e => e.Type == EventType.Rhythm);
        Assert.Equal(0, model.Runs);
        Assert.InRange(scheduler.WindowsUnreadable, 40, 60);   // one a second once 9 s are in, every one answered "no opinion"
    }

    [Fact]
    public void A_lead_off_open_when_a_gap_restarts_the_stream_is_closed_at_the_restart_not_left_open()
    {
        var leads = LeadSet.Of(Lead.II);
        var events = new List<RhythmEvent>();
        var input = new Subject<SampleBlock>();
        using var _ = BedPipeline.Events(input, BedOptions.Default with { MaxGapFillSeconds = 5 }).Subscribe(events.Add);
        var flat = new float[250];
        var beating = new float[250];
        for (long s = 0; s < 20; s++) input.OnNext(new SampleBlock("b", s * 250, 250, leads, 250, flat));           // 20 s flat: LEAD_OFF
        for (long s = 60; s < 120; s++)                                                                             // 40 s gap, then a signal
        {
            for (int i = 0; i < 250; i++) beating[i] = (float)(Math.Exp(-Math.Pow((i - 125) / 4.0, 2)) + 0.05 * Math.Sin(i * 0.05));
            input.OnNext(new SampleBlock("b", s * 250, 250, leads, 250, beating));
        }
        input.OnCompleted();
        var leadOff = events.Where(e => e.Rhythm == "LEAD_OFF").ToList();
        Assert.Equal([EventKind.Onset, EventKind.Offset], leadOff.Select(e => e.Kind));
        var restart = Assert.Single(events, e => e.Rhythm == "STREAM_RESTART" && e.Kind == EventKind.Onset);
        Assert.True(leadOff[1].EndSeconds <= restart.StartSeconds, $"LEAD_OFF closed at {leadOff[1].EndSeconds} s, the restart at {restart.StartSeconds} s");
        Assert.True(events.IndexOf(leadOff[1]) < events.IndexOf(restart), "the old state's alarm closes before the restart is reported");
    }
}
