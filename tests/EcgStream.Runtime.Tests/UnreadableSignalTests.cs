using EcgStream.Core.Events;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Replay;

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

        Assert.Contains(events, e => e.Rhythm == "LEAD_OFF" && e.Kind == EventKind.Onset);
        Assert.DoesNotContain(events, e => e.Type == EventType.Rhythm);
        Assert.Equal(0, model.Runs);
        Assert.InRange(scheduler.WindowsUnreadable, 40, 60);   // one a second once 9 s are in, every one answered "no opinion"
    }
}
