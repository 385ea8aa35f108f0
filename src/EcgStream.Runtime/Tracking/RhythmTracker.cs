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
/// </summary>
public sealed class RhythmTracker : IStage<WindowScores, RhythmEvent>
{
    private readonly TrackerOptions _options;
    private readonly ClassState[] _state = new ClassState[RhythmClasses.Count];
    private WindowScores _last;
    private bool _seenAny;

    public RhythmTracker(TrackerOptions? options = null)
    {
        _options = options ?? new TrackerOptions();
        _options.Validate();
    }

    public void OnNext(in WindowScores scores, IObserver<RhythmEvent> output)
    {
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

    public void OnCompleted(IObserver<RhythmEvent> output)
    {
        if (!_seenAny) return;
        for (int c = 0; c < _state.Length; c++)
        {
            ref var s = ref _state[c];
            if (!s.Open) continue;
            s.Open = false;
            output.OnNext(new RhythmEvent(_last.StreamId, EventType.Rhythm, EventKind.Offset, RhythmClasses.Names[c],
                s.OnsetSeconds, _last.EndSeconds, _last.EndSeconds, s.EpisodeSum / s.EpisodeCount, _last.Source, _last.ModelId));
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
