using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Pipeline;

namespace EcgStream.Runtime.Tracking;

/// <summary>
/// Turns one source's per-window class probabilities (one stream) into onset/offset events, per
/// class independently (the class set is multi-label). See <see cref="TrackerOptions"/> for the
/// hysteresis. Times: an episode starts at the midpoint of the first window of the run of votes
/// that opened it and ends at the midpoint of the first window of the run that closed it (a
/// window's evidence is centred on it); events are emitted at the end of the deciding window.
/// At end of stream an open episode is closed at the last window's end.
/// <para>A tracker may resume another's state (<see cref="TrackerEpisodes"/>, from <see cref="Episodes"/>): its episodes are
/// set to the given ones just before its first window ending after their time, silently (those transitions were reported
/// by the tracker that took the snapshot). A stream that changes owner keeps its episodes that way.</para>
/// </summary>
public sealed class RhythmTracker : IStage<WindowScores, RhythmEvent>
{
    private readonly TrackerOptions _options;
    private readonly ClassState[] _state = new ClassState[RhythmClasses.Count];
    private WindowScores _last;
    private bool _seenAny;
    private TrackerEpisodes? _resume;
    // OnNext runs on the thread that delivers the scores; Episodes() on whichever asks (a worker's checkpoint)
    private readonly Lock _gate = new();

    /// <param name="resume">Episodes to continue (see <see cref="TrackerEpisodes"/>); null: start with none open.</param>
    public RhythmTracker(TrackerOptions? options = null, TrackerEpisodes? resume = null)
    {
        _options = options ?? new TrackerOptions();
        _options.Validate();
        _resume = resume;
    }

    public void OnNext(in WindowScores scores, IObserver<RhythmEvent> output)
    {
        lock (_gate) Track(in scores, output);
    }

    /// <summary>
    /// The open episodes after the newest window (or the resumed state while the tracker has not reached it yet); null before
    /// any window and without a state to resume. Safe to call from any thread.
    /// </summary>
    public TrackerEpisodes? Episodes()
    {
        lock (_gate)
        {
            if (_resume is not null) return _resume;
            if (!_seenAny) return null;
            var open = new Dictionary<string, double>();
            for (int c = 0; c < _state.Length; c++)
                if (_state[c].Open) open[RhythmClasses.Names[c]] = _state[c].OnsetSeconds;
            return new TrackerEpisodes(_last.EndSeconds, open);
        }
    }

    private void Track(in WindowScores scores, IObserver<RhythmEvent> output)
    {
        if (_resume is { } r && scores.EndSeconds > r.AsOfSeconds + 1e-9) { Resume(r); _resume = null; }
        if (_seenAny && scores.EndSeconds < _last.EndSeconds)
            throw new InvalidOperationException($"stream {scores.StreamId}: window ending at {scores.EndSeconds:F3} s arrived after one ending at {_last.EndSeconds:F3} s");
        var p = scores.Probabilities.Span;
        int n = Math.Min(p.Length, RhythmClasses.Count);
        // A window may reach back before the stream began (the rules' RR history, a delay): nothing starts before 0.
        double mid = Math.Max(0, 0.5 * (scores.StartSeconds + scores.EndSeconds));
        for (int c = 0; c < n; c++)
        {
            float prob = p[c];
            if (float.IsNaN(prob)) continue; // the source has no opinion on this class
            if (_options.Classes is { } only && !only.Contains((RhythmClass)c)) continue;
            ref var s = ref _state[c];
            double threshold = _options.ThresholdOf(c);
            if (!s.Open)
            {
                if (prob >= threshold)
                {
                    if (s.RunLength == 0) { s.RunStartMid = mid; s.RunStartEnd = scores.EndSeconds; s.RunSum = 0; s.RunExcess = 0; }
                    else s.RunExcess += (prob - threshold) * (scores.EndSeconds - _last.EndSeconds);
                    s.RunLength++;
                    s.RunSum += prob;
                    if (scores.EndSeconds - s.RunStartEnd >= _options.MinOnsetSeconds
                        && s.RunExcess >= _options.MinOnsetEvidenceOf(c) - 1e-9)
                    {
                        s.Open = true;
                        s.OnsetSeconds = s.RunStartMid;
                        s.EpisodeSum = s.RunSum;
                        s.EpisodeCount = s.RunLength;
                        s.RunLength = 0;
                        output.OnNext(new RhythmEvent(scores.StreamId, EventType.Rhythm, EventKind.Onset, RhythmClasses.Names[c],
                            s.OnsetSeconds, null, scores.EndSeconds, s.EpisodeSum / s.EpisodeCount, scores.Source, scores.ModelId));
                    }
                }
                else s.RunLength = 0;
            }
            else
            {
                s.EpisodeSum += prob;
                s.EpisodeCount++;
                if (prob < threshold - _options.Hysteresis)
                {
                    if (s.RunLength == 0) { s.RunStartMid = mid; s.RunStartEnd = scores.EndSeconds; }
                    s.RunLength++;
                    if (scores.EndSeconds - s.RunStartEnd >= _options.MinOffsetSeconds)
                    {
                        s.Open = false;
                        s.RunLength = 0;
                        output.OnNext(new RhythmEvent(scores.StreamId, EventType.Rhythm, EventKind.Offset, RhythmClasses.Names[c],
                            s.OnsetSeconds, Math.Max(s.RunStartMid, s.OnsetSeconds), scores.EndSeconds, s.EpisodeSum / s.EpisodeCount, scores.Source, scores.ModelId));
                    }
                }
                else s.RunLength = 0;
            }
        }
        _last = scores;
        _seenAny = true;
    }

    /// <summary>Sets the episodes to <paramref name="r"/>'s where they differ (a run toward a change is dropped with them).</summary>
    private void Resume(TrackerEpisodes r)
    {
        for (int c = 0; c < _state.Length; c++)
        {
            ref var s = ref _state[c];
            bool open = r.Open.TryGetValue(RhythmClasses.Names[c], out double onset);
            if (open == s.Open && (!open || s.OnsetSeconds == onset)) continue;
            if (open && !s.Open) { s.EpisodeSum = 0; s.EpisodeCount = 0; }
            s.Open = open;
            s.OnsetSeconds = open ? onset : 0;
            s.RunLength = 0;
        }
    }

    public void OnCompleted(IObserver<RhythmEvent> output)
    {
        lock (_gate) Complete(output);
    }

    private void Complete(IObserver<RhythmEvent> output)
    {
        if (!_seenAny) return;
        for (int c = 0; c < _state.Length; c++)
        {
            ref var s = ref _state[c];
            if (!s.Open) continue;
            s.Open = false;
            output.OnNext(new RhythmEvent(_last.StreamId, EventType.Rhythm, EventKind.Offset, RhythmClasses.Names[c],
                s.OnsetSeconds, _last.EndSeconds, _last.EndSeconds, s.EpisodeCount > 0 ? s.EpisodeSum / s.EpisodeCount : double.NaN, _last.Source, _last.ModelId));
        }
    }

    /// <summary>Per-class state. A "run" is the current streak of votes toward changing state.</summary>
    private struct ClassState
    {
        public bool Open;
        public double OnsetSeconds;
        public int RunLength;
        public double RunStartMid, RunStartEnd, RunSum;
        /// <summary>Σ (p − threshold) · Δt over the run's votes after its first (see <see cref="TrackerOptions.MinOnsetEvidence"/>).</summary>
        public double RunExcess;
        public double EpisodeSum;
        public int EpisodeCount;
    }
}
