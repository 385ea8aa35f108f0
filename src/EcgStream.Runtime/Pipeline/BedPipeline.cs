using System.Reactive.Linq;
using EcgStream.Core.Events;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Fusion;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Tracking;

namespace EcgStream.Runtime.Pipeline;

/// <summary>
/// One bed, raw sample blocks in, rhythm and alarm events out:
/// <code>
/// blocks ─► SignalStage ─┬─ rule scores ─┬─► RhythmTracker (source "rule") ─────────────────────┐
///                        │               └─► FusionStage ─► RhythmTracker (source "fused") ────┤
///                        ├─ alarms, gaps ─► alarm events ───────────────┐          ▲           ├─► events
///                        └─ windows ─► InferenceScheduler ─┬────────────┼──────────┘           │
///                                                          └─► RhythmTracker (source "model") ─┘
/// </code>
/// Every bed reports three rhythm sources side by side: the rules, the model (when a scheduler is given) and the
/// fusion of the two (<see cref="FusionStage"/>), which is what alarms. Without a model the fused evidence is the
/// rules' own. Model events arrive on the scheduler's thread; <see cref="Observable.Merge{TSource}(IObservable{TSource}[])"/>
/// serialises them with the others. <c>heartRate</c>, when given, receives the rule detector's median-RR
/// heart rate (bpm; NaN while unknown) with every rule window, on the thread that pushes the blocks.
/// </summary>
public static class BedPipeline
{
    /// <param name="scoreWindows">Asked, on the pushing thread, as each window is cut: false leaves it unscored (null: score all).
    /// A worker warming a taken-over bed skips the model until the last part of its warm-up: the signal chain and the rules
    /// need the whole warm-up, the model's trackers only their last windows.</param>
    /// <param name="episodes">The trackers' state to resume, and where a snapshot of it is read (a bed that changes owner
    /// keeps its open episodes: a warm-up replays the signal, not an episode older than it); null: trackers start empty.</param>
    public static IObservable<RhythmEvent> Events(IObservable<SampleBlock> blocks, BedOptions? options = null, InferenceScheduler? model = null,
        Action<double>? heartRate = null, Func<bool>? scoreWindows = null, BedEpisodes? episodes = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        options ??= BedOptions.Default;
        return blocks
            .Through(() => new SignalStage(options.Signal, options.MaxGapFillSeconds))
            .Publish(signal =>
            {
                var ruleScores = signal.Where(o => o.Kind == SignalOutputKind.RuleScores);
                var rules = ruleScores
                    .Select(o => { heartRate?.Invoke(o.HeartRateBpm); return o.Scores; })
                    .Through(() => Tracker(episodes, EventSource.Rule, options.RuleTracker));
                var alarms = signal
                    .Where(o => o.Kind is SignalOutputKind.Alarm or SignalOutputKind.Gap or SignalOutputKind.Restart)
                    .SelectMany(AlarmEvents);
                var ruleEvidence = ruleScores.Select(o => FusionInput.Rule(o.Scores));
                if (model is null)
                    return Observable.Merge(rules, alarms, Fused(ruleEvidence, options, null, episodes));
                var modelTracker = options.ModelTracker with { Thresholds = model.Thresholds };
                // one subscription to the scheduler (each would queue every window again), shared by two consumers
                return model
                    .Classify(signal.Where(o => o.Kind == SignalOutputKind.Window && (scoreWindows is null || scoreWindows())).Select(o => o.Window))
                    .Publish(scores =>
                    {
                        var scored = scores.Through(() => Tracker(episodes, EventSource.Model, modelTracker));
                        // the end of the model's scores releases the rule decisions still waiting for them
                        var modelEvidence = scores.Select(s => FusionInput.Model(s)).Concat(Observable.Return(FusionInput.ModelEnd));
                        return Observable.Merge(rules, alarms, scored, Fused(ruleEvidence.Merge(modelEvidence), options, model.Thresholds, episodes));
                    });
            });
    }

    private static IObservable<RhythmEvent> Fused(IObservable<FusionInput> evidence, BedOptions options, IReadOnlyList<double>? modelThresholds, BedEpisodes? episodes) =>
        evidence
            .Through(() => new FusionStage(options.Fusion, modelThresholds))
            .Through(() => Tracker(episodes, EventSource.Fused, options.FusedTracker));

    private static RhythmTracker Tracker(BedEpisodes? episodes, EventSource source, TrackerOptions options) =>
        episodes?.Tracker(source, options) ?? new RhythmTracker(options);

    /// <summary>Alarms as events: state alarms as they open and close; instants (a pause, a gap) as an onset and offset pair.</summary>
    private static RhythmEvent[] AlarmEvents(SignalOutput o)
    {
        if (o.Kind == SignalOutputKind.Gap)
        {
            var g = o.Gap;
            return Pair(o.StreamId, Alarms.Gap, g.StartSeconds, g.EndSeconds, g.EndSeconds);
        }
        if (o.Kind == SignalOutputKind.Restart)
            return Pair(o.StreamId, Alarms.StreamRestart, o.RestartSeconds, o.RestartSeconds, o.RestartSeconds);
        var a = o.Alarm;
        if (a.Kind == Signal.Rhythms.AlarmKind.Pause)
            return Pair(o.StreamId, a.Name, a.StartSeconds, a.EndSeconds, a.DetectedSeconds);
        return
        [
            a.IsOnset
                ? new RhythmEvent(o.StreamId, EventType.Alarm, EventKind.Onset, a.Name, a.StartSeconds, null, a.DetectedSeconds, 1.0, EventSource.Rule)
                : new RhythmEvent(o.StreamId, EventType.Alarm, EventKind.Offset, a.Name, a.StartSeconds, a.EndSeconds, a.DetectedSeconds, 1.0, EventSource.Rule),
        ];
    }

    /// <summary>An instant (a gap reported whole, a pause, a restart) as an onset and offset pair.</summary>
    public static RhythmEvent[] Pair(string stream, string name, double start, double end, double detected) =>
    [
        new(stream, EventType.Alarm, EventKind.Onset, name, start, null, detected, 1.0, EventSource.Rule),
        new(stream, EventType.Alarm, EventKind.Offset, name, start, end, detected, 1.0, EventSource.Rule),
    ];
}
