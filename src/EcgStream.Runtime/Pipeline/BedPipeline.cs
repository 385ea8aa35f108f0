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
/// serialises them with the others.
/// </summary>
public static class BedPipeline
{
    public static IObservable<RhythmEvent> Events(IObservable<SampleBlock> blocks, BedOptions? options = null, InferenceScheduler? model = null)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        options ??= BedOptions.Default;
        return blocks
            .Through(() => new SignalStage(options.Signal))
            .Publish(signal =>
            {
                var rules = signal
                    .Where(o => o.Kind == SignalOutputKind.RuleScores)
                    .Select(o => o.Scores)
                    .Through(() => new RhythmTracker(options.RuleTracker));
                // per subscription: where each open state alarm began (its offset reports that start)
                var alarms = Observable.Defer(() =>
                {
                    var open = new Dictionary<string, double>(StringComparer.Ordinal);
                    return signal
                        .Where(o => o.Kind is SignalOutputKind.Alarm or SignalOutputKind.Gap)
                        .SelectMany(o => AlarmEvents(o, open));
                });
                if (model is null) return rules.Merge(alarms);
                var modelTracker = options.ModelTracker with { Thresholds = model.Thresholds };
                var scored = model
                    .Classify(signal.Where(o => o.Kind == SignalOutputKind.Window).Select(o => o.Window))
                    .Through(() => new RhythmTracker(modelTracker));
                return Observable.Merge(rules, alarms, scored);
            });
    }

    /// <summary>Alarms as events: state alarms as they open and close; instants (a pause, a gap) as an onset and offset pair.</summary>
    private static RhythmEvent[] AlarmEvents(SignalOutput o, Dictionary<string, double> open)
    {
        if (o.Kind == SignalOutputKind.Gap)
        {
            var g = o.Gap;
            return Pair(o.StreamId, "GAP", g.StartSeconds, g.EndSeconds, g.EndSeconds);
        }
        var a = o.Alarm;
        if (a.Kind == Signal.Rhythms.AlarmKind.Pause)
            return Pair(o.StreamId, a.Name, a.StartSeconds, a.EndSeconds, a.DetectedSeconds);
        if (a.IsOnset)
        {
            open[a.Name] = a.StartSeconds;
            return [new RhythmEvent(o.StreamId, EventType.Alarm, EventKind.Onset, a.Name, a.StartSeconds, null, a.DetectedSeconds, 1.0, EventSource.Rule)];
        }
        // A state alarm's offset does not carry its start (it is NaN there): take the onset's. NaN would
        // also break every JSON sink, which cannot write it.
        double start = open.Remove(a.Name, out var s) ? s : double.IsFinite(a.StartSeconds) ? a.StartSeconds : a.EndSeconds;
        return [new RhythmEvent(o.StreamId, EventType.Alarm, EventKind.Offset, a.Name, start, a.EndSeconds, a.DetectedSeconds, 1.0, EventSource.Rule)];
    }

    private static RhythmEvent[] Pair(string stream, string name, double start, double end, double detected) =>
    [
        new(stream, EventType.Alarm, EventKind.Onset, name, start, null, detected, 1.0, EventSource.Rule),
        new(stream, EventType.Alarm, EventKind.Offset, name, start, end, detected, 1.0, EventSource.Rule),
    ];
}
