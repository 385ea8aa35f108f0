using System.Reactive.Linq;
using EcgStream.Core.Events;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Tracking;

namespace EcgStream.Runtime.Pipeline;

/// <summary>
/// One bed, raw sample blocks in, rhythm and alarm events out:
/// <code>
/// blocks ─► SignalStage ─┬─ rule scores ─► RhythmTracker (source "rule") ──┐
///                        ├─ alarms, gaps ─► alarm events ──────────────────┼─► events
///                        └─ windows ─► InferenceScheduler ─► RhythmTracker (source "model")
/// </code>
/// The model branch is present when a scheduler is given; both sources report side by side. Model
/// events arrive on the scheduler's thread; <see cref="Observable.Merge{TSource}(IObservable{TSource}[])"/>
/// serialises them with the others. <c>heartRate</c>, when given, receives the rule detector's median-RR
/// heart rate (bpm; NaN while unknown) with every rule window, on the thread that pushes the blocks.
/// </summary>
public static class BedPipeline
{
    public static IObservable<RhythmEvent> Events(IObservable<SampleBlock> blocks, BedOptions? options = null, InferenceScheduler? model = null,
        Action<double>? heartRate = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        options ??= BedOptions.Default;
        return blocks
            .Through(() => new SignalStage(options.Signal, options.MaxGapFillSeconds))
            .Publish(signal =>
            {
                var rules = signal
                    .Where(o => o.Kind == SignalOutputKind.RuleScores)
                    .Select(o => { heartRate?.Invoke(o.HeartRateBpm); return o.Scores; })
                    .Through(() => new RhythmTracker(options.RuleTracker));
                var alarms = signal
                    .Where(o => o.Kind is SignalOutputKind.Alarm or SignalOutputKind.Gap or SignalOutputKind.Restart)
                    .SelectMany(AlarmEvents);
                if (model is null) return rules.Merge(alarms);
                var modelTracker = options.ModelTracker with { Thresholds = model.Thresholds };
                var scored = model
                    .Classify(signal.Where(o => o.Kind == SignalOutputKind.Window).Select(o => o.Window))
                    .Through(() => new RhythmTracker(modelTracker));
                return Observable.Merge(rules, alarms, scored);
            });
    }

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
