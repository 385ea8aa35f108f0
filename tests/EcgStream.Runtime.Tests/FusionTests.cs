using System.Reactive.Linq;
using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Fusion;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Sinks;
using EcgStream.Runtime.Tracking;

namespace EcgStream.Runtime.Tests;

/// <summary>The fused source: rule and model evidence per class, paired by stream time (FusionStage).</summary>
public class FusionTests
{
    private static readonly double[] s_half = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
    // explicit, so that tuning the defaults does not change what these tests mean
    private static readonly FusionOptions s_options = new() { ModelConfidentEvidence = 0.9, RuleConfidentEvidence = 0.9, NotAgainstEvidence = 0.3 };

    private static float[] Probs(params (RhythmClass Class, float P)[] set)
    {
        var p = new float[RhythmClasses.Count];
        Array.Fill(p, float.NaN);
        foreach (var (c, v) in set) p[(int)c] = v;
        return p;
    }

    /// <summary>A rule decision at the end of second t (window t−20..t, as the rules' RR history reaches back).</summary>
    private static FusionInput Rule(int t, float af, float stach = 0f) =>
        FusionInput.Rule(new WindowScores("bed", t - 20, t, EventSource.Rule, Probs((RhythmClass.AF, af), (RhythmClass.STACH, stach), (RhythmClass.NOISE, 0f))));

    /// <summary>A model window ending at second t.</summary>
    private static FusionInput Model(int t, float af, float sr = 0.1f) =>
        FusionInput.Model(new WindowScores("bed", t - 9, t, EventSource.Model, Probs((RhythmClass.AF, af), (RhythmClass.SR, sr)), "m1"));

    /// <summary>Rules and model both scoring every second for <paramref name="seconds"/>, model windows arriving <paramref name="modelLag"/> decisions late.</summary>
    private static List<FusionInput> Interleave(int seconds, Func<int, float> ruleAf, Func<int, float> modelAf, int modelLag = 3)
    {
        var inputs = new List<FusionInput>();
        for (int t = 1; t <= seconds + modelLag; t++)
        {
            if (t <= seconds) inputs.Add(Rule(t, ruleAf(t)));
            if (t - modelLag >= 1) inputs.Add(Model(t - modelLag, modelAf(t - modelLag)));
        }
        inputs.Add(FusionInput.ModelEnd);
        return inputs;
    }

    private static List<(double End, float Af, float Stach)> Fuse(IEnumerable<FusionInput> inputs, IReadOnlyList<double>? thresholds, FusionOptions? options = null) =>
        inputs.ToObservable().Through(() => new FusionStage(options ?? s_options, thresholds))
            .Select(s => (s.EndSeconds, s.Probabilities.Span[(int)RhythmClass.AF], s.Probabilities.Span[(int)RhythmClass.STACH]))
            .ToList().Wait().ToList();

    private static List<RhythmEvent> FusedEvents(IEnumerable<FusionInput> inputs, IReadOnlyList<double>? thresholds = null) =>
        inputs.ToObservable()
            .Through(() => new FusionStage(s_options, thresholds))
            .Through(() => new RhythmTracker(BedOptions.Default.FusedTracker with { MinOnsetSeconds = 2, MinOffsetSeconds = 20 }))
            .ToList().Wait().ToList();

    [Fact]
    public void Agreement_opens_a_fused_af_episode_and_its_json_says_fused()
    {
        // both sources above threshold from 30 s to 90 s
        var events = FusedEvents(Interleave(150, t => t is >= 30 and < 90 ? 0.9f : 0.05f, t => t is >= 30 and < 90 ? 0.8f : 0.1f), s_half);
        Assert.Equal(2, events.Count);
        var onset = events[0];
        Assert.Equal((EventKind.Onset, "AF", EventSource.Fused, "m1"), (onset.Kind, onset.Rhythm, onset.Source, onset.ModelId));
        Assert.Equal(32, onset.DetectedSeconds);           // third agreeing decision (2 s after the first)
        Assert.Equal(20, onset.StartSeconds);              // midpoint of the first agreeing rule window (10..30)
        // evidence min(0.9, 0.5 + 0.5·0.6) = 0.8 on every decision behind the onset
        Assert.Equal(0.8, onset.Confidence, 5);
        Assert.Equal(EventKind.Offset, events[1].Kind);
        Assert.Equal(110, events[1].DetectedSeconds);       // 20 s of contrary evidence from 90 s
        Assert.Equal("""{"type":"rhythm","kind":"onset","rhythm":"AF","stream":"bed","start_s":20,"detected_s":32,"latency_s":12,"confidence":0.8,"source":"fused","model":"m1"}""",
            EventJson.ToJson(onset));
    }

    [Theory]
    [InlineData(0.9f, 0.2f)]   // rules say AF, the model clearly does not
    [InlineData(0.2f, 0.8f)]   // the model says AF, the rules clearly do not
    public void Disagreement_raises_no_fused_af(float rule, float model)
    {
        Assert.Empty(FusedEvents(Interleave(120, _ => rule, _ => model), s_half));
    }

    [Fact]
    public void Ectopy_vetoed_by_the_rules_raises_no_fused_af_even_when_the_model_is_certain()
    {
        // bigeminy: RR varies a lot, so a model may call it AF, but the rules' lag ratio holds their AF score near 0
        Assert.Empty(FusedEvents(Interleave(300, _ => 0.03f, _ => 0.99f), s_half));
        // the same certainty with rules that are merely unsure (0.35: not against) does alarm
        var events = FusedEvents(Interleave(300, _ => 0.35f, _ => 0.99f), s_half);
        Assert.Equal(["onset", "offset"], events.Select(e => e.Kind == EventKind.Onset ? "onset" : "offset"));
    }

    /// <summary>The shipped defaults (FusionOptions.Default, BedOptions.Default.FusedTracker), model AF threshold 0.45 as the shipped model's.</summary>
    private static List<RhythmEvent> DefaultFusedEvents(IEnumerable<FusionInput> inputs)
    {
        var thresholds = s_half.ToArray();
        thresholds[(int)RhythmClass.AF] = 0.45;
        return inputs.ToObservable()
            .Through(() => new FusionStage(FusionOptions.Default, thresholds))
            .Through(() => new RhythmTracker(BedOptions.Default.FusedTracker))
            .ToList().Wait().Where(e => e.Rhythm == "AF").ToList();
    }

    [Fact]
    public void A_confident_model_and_lukewarm_rules_raise_no_fused_af_by_default()
    {
        // MIT-BIH 215 (frequent PVCs, never trained on): the model says AF at about 0.85 for most of the record while the
        // rules' AF score sits near 0.1 with excursions to 0.3–0.4 lasting several seconds and now and then reaching 0.55 for
        // a few: fused evidence 0.56 in runs of 3–8 s, each of which opened an episode before
        Func<int, float> rules = t => t % 150 < 3 ? 0.55f : t % 60 < 8 ? 0.35f : 0.08f;
        Func<int, float> model = _ => 0.85f;
        Assert.Empty(DefaultFusedEvents(Interleave(1800, rules, model)));
        // the defaults before 2026-12-04 (not against at 0.1, time alone at onset) alarmed on it
        var thresholds = s_half.ToArray();
        thresholds[(int)RhythmClass.AF] = 0.45;
        var before = Interleave(1800, rules, model).ToObservable()
            .Through(() => new FusionStage(FusionOptions.Default with { NotAgainstEvidence = 0.1 }, thresholds))
            .Through(() => new RhythmTracker(BedOptions.Default.FusedTracker with { MinOnsetEvidence = null }))
            .ToList().Wait();
        Assert.NotEmpty(before);
    }

    [Fact]
    public void An_af_onset_the_model_leads_and_the_rules_follow_alarms_within_a_few_seconds_by_default()
    {
        // AF from 100 s: the model (one 9 s window) says so from 104 s, the rules (32 RR intervals) climb from 0.05 to 0.9
        // between 104 and 116 s; before it sinus rhythm, both low
        Func<int, float> rules = t => t < 104 ? 0.05f : Math.Min(0.9f, 0.05f + 0.07f * (t - 104));
        Func<int, float> model = t => t < 104 ? 0.05f : 0.9f;
        var events = DefaultFusedEvents(Interleave(300, rules, model));
        var onset = Assert.Single(events, e => e.Kind == EventKind.Onset);
        // rules at 0.2 (not against) from 107 s; the model alone (evidence 0.92 → 0.62) accrues 0.12 a second
        Assert.InRange(onset.DetectedSeconds, 108, 115);
        // with the rules silent (a stream that starts in AF: too few beats yet) the model alone opens it too
        var start = DefaultFusedEvents(Interleave(60, _ => float.NaN, _ => 0.9f));
        Assert.InRange(Assert.Single(start, e => e.Kind == EventKind.Onset).DetectedSeconds, 3, 10);
    }

    [Fact]
    public void Evidence_puts_each_source_threshold_at_one_half()
    {
        Assert.Equal(0.5, FusionStage.Evidence(0.3, 0.3), 12);
        Assert.Equal(0.25, FusionStage.Evidence(0.15, 0.3), 12);
        Assert.Equal(0.75, FusionStage.Evidence(0.65, 0.3), 12);
        Assert.Equal(1.0, FusionStage.Evidence(1.0, 0.3), 12);
        Assert.True(double.IsNaN(FusionStage.Evidence(double.NaN, 0.3)));
        // a model whose AF threshold is 0.3 agrees at 0.35 (evidence 0.536)
        var thresholds = s_half.ToArray();
        thresholds[(int)RhythmClass.AF] = 0.3;
        var fused = Fuse([Rule(1, 0.9f), Model(1, 0.35f), FusionInput.ModelEnd], thresholds);
        Assert.Equal(0.5 + 0.5 * 0.05 / 0.7, fused.Single().Af, 5);
    }

    [Fact]
    public void Without_a_model_fused_evidence_is_the_rules_own()
    {
        var inputs = Enumerable.Range(1, 120).Select(t => Rule(t, t is >= 20 and < 60 ? 0.9f : 0.1f, t is >= 70 and < 100 ? 0.95f : 0.02f)).ToList();
        var fused = Fuse(inputs, thresholds: null);
        Assert.Equal(120, fused.Count);
        Assert.All(fused, f => Assert.Equal(f.End is >= 20 and < 60 ? 0.9f : 0.1f, f.Af));
        var events = FusedEvents(inputs);
        Assert.Equal([("AF", EventKind.Onset), ("AF", EventKind.Offset), ("STACH", EventKind.Onset), ("STACH", EventKind.Offset)],
            events.Select(e => (e.Rhythm, e.Kind)).OrderBy(x => x.Rhythm == "STACH").ToList());
        Assert.All(events, e => Assert.Equal((EventSource.Fused, (string?)null), (e.Source, e.ModelId)));
    }

    [Fact]
    public void Rule_decisions_pair_with_the_model_window_of_their_stream_time_whatever_the_arrival_order()
    {
        Func<int, float> rule = t => t % 7 < 4 ? 0.9f : 0.2f, model = t => t % 5 < 3 ? 0.95f : 0.05f;
        var late = Fuse(Interleave(60, rule, model, modelLag: 12), s_half);
        var early = Fuse(Interleave(60, rule, model, modelLag: 0), s_half);
        // the model ahead of the rules by 5 windows (a race a live bed can see at a block boundary)
        var ahead = new List<FusionInput>();
        for (int t = 1; t <= 65; t++)
        {
            if (t <= 60) ahead.Add(Model(t, model(t)));
            if (t > 5) ahead.Add(Rule(t - 5, rule(t - 5)));
        }
        var modelFirst = Fuse(ahead.Append(FusionInput.ModelEnd), s_half);
        Assert.Equal(60, late.Count);
        Assert.Equal(late, early);
        Assert.Equal(late, modelFirst);
        // decision t took model window t: both high ⇔ fused ≥ 0.5
        Assert.All(late, f => Assert.Equal(rule((int)f.End) >= 0.5 && model((int)f.End) >= 0.5, f.Af >= 0.5));
    }

    [Fact]
    public void A_stale_or_missing_model_window_is_no_opinion_and_a_confident_rule_alone_needs_the_model_not_against()
    {
        // model windows stop at 10 s; rule decisions go on to 40 s, very confident (evidence 0.98 ≥ 0.9)
        var inputs = new List<FusionInput>();
        for (int t = 1; t <= 40; t++)
        {
            inputs.Add(Rule(t, 0.98f));
            if (t <= 10) inputs.Add(Model(t, 0.1f));
        }
        inputs.Add(FusionInput.ModelEnd);
        var fused = Fuse(inputs, s_half);
        // up to 20 s the 10 s window (evidence 0.1: against) is paired; after that no opinion (counts as not against)
        Assert.All(fused.Where(f => f.End <= 20), f => Assert.Equal(0.1f, f.Af, 5));
        Assert.All(fused.Where(f => f.End > 20), f => Assert.Equal(0.98f - 0.9f + 0.5f, f.Af, 5));
        // by default the rules never carry AF alone: their AF score is high on VT runs and irregular pacing too
        var byDefault = inputs.ToObservable().Through(() => new FusionStage(FusionOptions.Default with { ModelMaxAgeSeconds = 10 }, s_half))
            .Select(s => s.Probabilities.Span[(int)RhythmClass.AF]).ToList().Wait();
        Assert.All(byDefault.Skip(20), af => Assert.Equal(FusionOptions.Default.NotAgainstEvidence, af, 5));
    }

    [Fact]
    public void A_held_model_pairs_its_highest_recent_evidence_with_the_lagging_rules()
    {
        // the model saw AF in windows ending 5..8 s; the rules, lagging, only from 10 s on
        var inputs = new List<FusionInput>();
        for (int t = 1; t <= 20; t++) { inputs.Add(Model(t, t is >= 5 and <= 8 ? 0.8f : 0.1f)); inputs.Add(Rule(t, t >= 10 ? 0.9f : 0.05f)); }
        inputs.Add(FusionInput.ModelEnd);
        var plain = Fuse(inputs, s_half);
        var held = Fuse(inputs, s_half, s_options with { ModelHoldSeconds = 4 });
        Assert.All(plain, f => Assert.True(f.Af < 0.5));
        // windows 5..8 are within 4 s of decisions 10..12 only (8 ≥ t − 4): evidence min(0.9, 0.8) there
        Assert.Equal([10.0, 11, 12], held.Where(f => f.Af >= 0.5).Select(f => f.End));
        Assert.Equal(0.8f, held.Single(f => f.End == 12).Af, 5);
    }

    [Fact]
    public void Rate_classes_come_from_the_rules_and_are_off_while_fused_af_is_on()
    {
        var fused = Fuse([Rule(1, 0.05f, stach: 0.9f), Model(1, 0.1f), Rule(2, 0.9f, stach: 0.9f), Model(2, 0.9f), FusionInput.ModelEnd], s_half);
        Assert.Equal(0.9f, fused[0].Stach, 5);
        Assert.Equal(0f, fused[1].Stach);
    }

    [Fact]
    public void Bad_options_are_refused_with_the_field_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FusionStage(new FusionOptions { NotAgainstEvidence = 0.6 }));
        Assert.Equal("NotAgainstEvidence", e.ParamName);
    }
}
