using System.Reactive;
using System.Reactive.Linq;
using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Tracking;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EcgStream.Runtime.Tests;

public class RhythmTrackerTests
{
    /// <summary>Windows of 9 s every 1 s; class AF has probability af(t) at window end t.</summary>
    private static List<RhythmEvent> Track(Func<int, float> af, int windows, TrackerOptions? options = null)
    {
        var scores = Enumerable.Range(0, windows).Select(i =>
        {
            var p = new float[RhythmClasses.Count];
            Array.Fill(p, float.NaN);
            p[(int)RhythmClass.AF] = af(i);
            return new WindowScores("bed1", i, i + 9, EventSource.Model, p, "m1");
        });
        return scores.ToObservable().Through(() => new RhythmTracker(options)).ToList().Wait().ToList();
    }

    [Fact]
    public void An_episode_opens_after_the_minimum_onset_time_and_closes_after_the_minimum_offset_time()
    {
        // AF probability high for windows 10..29.
        var events = Track(i => i is >= 10 and < 30 ? 0.9f : 0.1f, 60);
        Assert.Equal(2, events.Count);
        var onset = events[0];
        Assert.Equal(EventKind.Onset, onset.Kind);
        Assert.Equal("AF", onset.Rhythm);
        Assert.Equal(10 + 4.5, onset.StartSeconds);          // midpoint of the first voting window
        Assert.Equal(12 + 9, onset.DetectedSeconds);          // third vote (2 s after the first) decides
        Assert.Equal(0.9, onset.Confidence, 5);
        Assert.Equal(EventSource.Model, onset.Source);
        Assert.Equal("m1", onset.ModelId);
        var offset = events[1];
        Assert.Equal(EventKind.Offset, offset.Kind);
        Assert.Equal(30 + 4.5, offset.EndSeconds);
        Assert.Equal(32 + 9, offset.DetectedSeconds);
    }

    /// <summary>
    /// A stream that changes owner: the next owner's tracker starts (its warm-up) inside an episode whose evidence wanders
    /// between the offset and the onset threshold, which an uninterrupted tracker keeps open. Started empty it opened the
    /// episode a second time when the evidence rose again (cluster-demo: a model NOISE onset at 78.5 s of a moved bed whose
    /// episode had been open since 16.5 s); resumed from the previous owner's episodes it reports what the uninterrupted
    /// tracker reports after the handover.
    /// </summary>
    [Fact]
    public void A_tracker_resumed_from_the_previous_owners_episodes_continues_them_after_the_handover()
    {
        // AF high from window 10, marginal from 40 (0.45: under the 0.5 onset threshold, above the 0.35 offset one), high again from 70, low from 100
        static float Af(int i) => i < 10 ? 0.1f : i < 40 ? 0.9f : i < 70 ? 0.45f : i < 100 ? 0.9f : 0.1f;
        static WindowScores Window(int i)
        {
            var p = new float[RhythmClasses.Count];
            Array.Fill(p, float.NaN);
            p[(int)RhythmClass.AF] = Af(i);
            return new WindowScores("bed1", i, i + 9, EventSource.Model, p, "m1");
        }
        // fed without an end of stream (which would close the open episodes): a handover is not one
        static List<(EventKind, double, double?, double)> Run(RhythmTracker tracker, int from, int to)
        {
            var events = new List<RhythmEvent>();
            var sink = Observer.Create<RhythmEvent>(events.Add);
            for (int i = from; i < to; i++) { var w = Window(i); tracker.OnNext(in w, sink); }
            return events.Select(e => (e.Kind, e.StartSeconds, e.EndSeconds, e.DetectedSeconds)).ToList();
        }

        const int handover = 60, warmupFrom = 45; // the previous owner scored windows up to 59 (ending at 68 s); the next warms up from 45
        double handoverEnd = handover - 1 + 9;
        var uninterrupted = Run(new RhythmTracker(), 0, 130).Where(e => e.Item4 > handoverEnd).ToList();
        var previous = new RhythmTracker();
        Run(previous, 0, handover);
        var state = previous.Episodes();
        Assert.Equal(handoverEnd, state!.AsOfSeconds);
        Assert.Equal(14.5, Assert.Single(state.Open).Value);

        var fresh = Run(new RhythmTracker(), warmupFrom, 130).Where(e => e.Item4 > handoverEnd).ToList();
        var resumed = Run(new RhythmTracker(resume: state), warmupFrom, 130).Where(e => e.Item4 > handoverEnd).ToList();
        Assert.Equal([(EventKind.Offset, 14.5, 104.5, 102 + 9)], uninterrupted);
        Assert.Equal(EventKind.Onset, fresh[0].Item1); // the second onset of one episode
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void Onset_evidence_lets_a_strong_run_open_on_time_and_makes_a_marginal_one_last()
    {
        var options = new TrackerOptions { MinOnsetEvidence = new Dictionary<RhythmClass, double> { [RhythmClass.AF] = 0.6 } };
        // 0.9 on a 0.5 threshold: 0.4 a second, 0.8 by the third vote — the 2 s minimum decides, as without it
        var strong = Track(i => i is >= 10 and < 30 ? 0.9f : 0.1f, 60, options);
        Assert.Equal(12 + 9, strong[0].DetectedSeconds);
        // 0.6: 0.1 a second; a 5 s run (0.4) never opens, a 20 s run opens at its seventh vote (0.6), dated from its first
        Assert.Empty(Track(i => i is >= 10 and < 15 ? 0.6f : 0.1f, 60, options));
        Assert.Single(Track(i => i is >= 10 and < 15 ? 0.6f : 0.1f, 60), e => e.Kind == EventKind.Onset); // time alone: opens
        var marginal = Track(i => i is >= 10 and < 30 ? 0.6f : 0.1f, 60, options);
        Assert.Equal((16 + 9, 10 + 4.5), (marginal[0].DetectedSeconds, marginal[0].StartSeconds));
        // a dip below threshold restarts the sum
        Assert.Empty(Track(i => i is >= 10 and < 40 && i % 5 != 0 ? 0.6f : 0.1f, 60, options));
    }

    [Fact]
    public void Onset_evidence_applies_only_to_the_classes_it_names()
    {
        var options = new TrackerOptions { MinOnsetEvidence = new Dictionary<RhythmClass, double> { [RhythmClass.VT] = 5 } };
        Assert.Equal(12 + 9, Track(i => i is >= 10 and < 30 ? 0.6f : 0.1f, 60, options)[0].DetectedSeconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RhythmTracker(new TrackerOptions { MinOnsetEvidence = new Dictionary<RhythmClass, double> { [RhythmClass.AF] = -1 } }));
    }

    [Fact]
    public void A_single_window_blip_neither_opens_nor_closes_an_episode()
    {
        Assert.Empty(Track(i => i == 5 ? 0.99f : 0.0f, 30));
        var events = Track(i => i is >= 3 and < 40 && i != 20 ? 0.9f : 0.0f, 50);
        Assert.Equal(2, events.Count); // the dip at window 20 does not split the episode
    }

    [Fact]
    public void Level_hysteresis_keeps_an_episode_open_between_the_two_thresholds()
    {
        // Opens at 0.9, then hovers at 0.45: below the 0.5 threshold but above 0.5 - 0.15.
        var events = Track(i => i < 10 ? 0.9f : 0.45f, 40);
        Assert.Single(events, e => e.Kind == EventKind.Onset);
        var close = Assert.Single(events, e => e.Kind == EventKind.Offset);
        Assert.Equal(39 + 9, close.EndSeconds); // closed only by the end of the stream
    }

    [Fact]
    public void End_of_stream_closes_an_open_episode_at_the_last_window_end()
    {
        var events = Track(_ => 0.8f, 20);
        Assert.Equal([EventKind.Onset, EventKind.Offset], events.Select(e => e.Kind));
        Assert.Equal(19 + 9, events[1].EndSeconds);
        Assert.Equal(19 + 9, events[1].DetectedSeconds);
    }

    [Fact]
    public void Classes_without_an_opinion_are_left_alone()
    {
        var events = Track(_ => float.NaN, 20);
        Assert.Empty(events);
    }

    [Fact]
    public void Windows_out_of_order_end_the_stream_with_an_error_naming_the_stream()
    {
        var p = new float[RhythmClasses.Count];
        var scores = new[]
        {
            new WindowScores("bed7", 10, 19, EventSource.Rule, p),
            new WindowScores("bed7", 5, 14, EventSource.Rule, p),
        };
        var ex = Assert.Throws<InvalidOperationException>(() => scores.ToObservable().Through(() => new RhythmTracker()).ToList().Wait());
        Assert.Contains("bed7", ex.Message);
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_option_named()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RhythmTracker(new TrackerOptions { OnThreshold = 0.1, Hysteresis = 0.2 }));
        Assert.Equal("Hysteresis", ex.ParamName);
    }

    [Fact]
    public void Per_class_thresholds_from_model_metadata_apply()
    {
        var thresholds = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
        thresholds[(int)RhythmClass.AF] = 0.95;
        Assert.Empty(Track(_ => 0.9f, 30, new TrackerOptions { Thresholds = thresholds }));
    }

    /// <summary>
    /// Invariants over arbitrary probability sequences: per class, onsets and offsets alternate,
    /// starting with an onset and ending with an offset; every episode ends after it starts; events
    /// are emitted in non-decreasing stream time, never before the time they describe.
    /// </summary>
    [Property]
    public Property Events_are_well_formed_for_any_probability_sequence() =>
        Prop.ForAll(Gen.Choose(0, 100).Select(x => x / 100f).ArrayOf().ToArbitrary(), probs =>
        {
            var events = Track(i => probs[i], probs.Length);
            bool open = false;
            double lastDetected = double.MinValue;
            foreach (var e in events)
            {
                if (e.Kind == EventKind.Onset == open) return false;
                open = e.Kind == EventKind.Onset;
                if (e.DetectedSeconds < lastDetected) return false;
                lastDetected = e.DetectedSeconds;
                if (e.Kind == EventKind.Onset && e.DetectedSeconds < e.StartSeconds) return false;
                if (e.Kind == EventKind.Offset && (e.EndSeconds < e.StartSeconds || e.DetectedSeconds < e.EndSeconds)) return false;
            }
            return !open;
        });
}
