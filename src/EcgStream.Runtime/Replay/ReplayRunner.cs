using System.Diagnostics;
using System.Reactive.Linq;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;

namespace EcgStream.Runtime.Replay;

/// <summary>What one replay did: the stream, how long it took, and what came out.</summary>
public sealed record ReplayResult(
    string Record,
    LeadSet Leads,
    double SampleRate,
    double DurationSeconds,
    TimeSpan Wall,
    int Events,
    IReadOnlyList<string> Notes)
{
    public double TimesRealTime => DurationSeconds / Math.Max(Wall.TotalSeconds, 1e-9);
}

/// <summary>
/// Replays one recording through a bed pipeline: the common core of `ecgstream replay`,
/// `ecgstream evaluate`, the replay benchmark and the end-to-end tests.
/// </summary>
public static class ReplayRunner
{
    /// <param name="onEvent">Called for every event as it is emitted (serialised; may be on the scheduler's thread).</param>
    public static async Task<ReplayResult> RunAsync(
        Recording recording,
        Action<RhythmEvent> onEvent,
        ReplayOptions? replay = null,
        BedOptions? bed = null,
        InferenceScheduler? model = null,
        IReadOnlyDictionary<string, Lead>? leadOverrides = null,
        CancellationToken cancel = default)
    {
        // refuse a rate the pipeline cannot take before anything is sized from it (fs = 1e12 must not become an allocation)
        if (Signal.Preprocessing.EcgPreprocessor.RateProblem(recording.SampleRate) is { } why)
            throw new InvalidDataException($"record {recording.Name}: {why}");
        var leads = RecordingLeads.Of(recording, leadOverrides);
        replay ??= new ReplayOptions { StreamId = recording.Name };
        var blocks = RecordingSource.Play(recording.SampleRate, leads.Leads, leads.Planes, replay);
        return await RunAsync(recording.Name, recording.SampleRate, recording.DurationSeconds, leads.Leads, leads.Notes, blocks, onEvent, bed, model, cancel);
    }

    /// <summary>Replays a record streamed from disk block by block (memory bounded by a block, not the record).</summary>
    public static async Task<ReplayResult> RunAsync(
        StreamedRecording recording,
        Action<RhythmEvent> onEvent,
        ReplayOptions? replay = null,
        BedOptions? bed = null,
        InferenceScheduler? model = null,
        IReadOnlyDictionary<string, Lead>? leadOverrides = null,
        CancellationToken cancel = default)
    {
        if (Signal.Preprocessing.EcgPreprocessor.RateProblem(recording.SampleRate) is { } why)
            throw new InvalidDataException($"record {recording.Name}: {why}");
        var (leads, _, notes) = RecordingLeads.Map(recording.Name, recording.Signals, leadOverrides);
        replay ??= new ReplayOptions { StreamId = recording.Name };
        var blocks = RecordingSource.Play(recording, replay, leadOverrides);
        return await RunAsync(recording.Name, recording.SampleRate, recording.DurationSeconds, leads, notes, blocks, onEvent, bed, model, cancel);
    }

    private static async Task<ReplayResult> RunAsync(string name, double sampleRate, double durationSeconds, LeadSet leads, IReadOnlyList<string> notes,
        IObservable<Core.Samples.SampleBlock> blocks, Action<RhythmEvent> onEvent, BedOptions? bed, InferenceScheduler? model, CancellationToken cancel)
    {
        int events = 0;
        var clock = Stopwatch.StartNew();
        // Completion may come on the inference worker's thread; continue elsewhere so the caller
        // can dispose the scheduler (which joins that thread) right after the await.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = BedPipeline.Events(blocks, bed, model)
            .Subscribe(e => { events++; onEvent(e); }, e => done.TrySetException(e), () => done.TrySetResult());
        using var registration = cancel.Register(() => done.TrySetCanceled(cancel));
        await done.Task;
        clock.Stop();
        return new ReplayResult(name, leads, sampleRate, durationSeconds, clock.Elapsed, events, notes);
    }
}
