using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;

namespace EcgStream.Signal.Rhythms;

/// <summary>
/// Rule-based rhythm decisions from beats and signal quality, on a fixed time grid (every
/// <see cref="RuleOptions.DecisionSeconds"/>): the baseline the model must beat and the fallback when no model loads.
/// <list type="bullet">
/// <item>AF: RR irregularity over the last <see cref="RuleOptions.AfBeats"/> intervals, features of
/// Dash et al. (2009, see <see cref="AfFeatures"/>); RR intervals over the pause limit are left out, and with
/// <see cref="RuleOptions.RemoveEctopicPairs"/> so are premature/compensatory pairs (an RR under 0.9× the normal RR
/// followed by one over 1.1×, together 1.8–2.2× it: a PVC or PAC with a compensatory pause; the normal RR is half the
/// median sum of adjacent intervals, see <see cref="RuleOptions.EctopicReferenceFromPairs"/>), and with
/// <see cref="RuleOptions.RemoveInterruptions"/> interruptions of a regular rhythm (a premature beat, couplet or short
/// regular run framed by the normal cycle, whatever its return: PACs that reset the sinus node, SVTA runs). Beats whose
/// QRS is unlike the lead's dominant one (<see cref="QrsBeat.Shape"/>: PVCs, fusion beats, whatever their timing) veto AF
/// when the intervals between the other beats are regular, or carry little of the irregularity
/// (<see cref="RuleOptions.OddShapeCorrelation"/>, <see cref="RuleOptions.OddRestRatio"/>). Ectopy that
/// pair removal cannot see (bigeminy, trigeminy, ectopics without a full compensatory pause) is caught by the
/// lag ratio (<see cref="RuleOptions.AfMinLagRatio"/>): RR that repeats with period 2 or 3 is not AF.</item>
/// <item>SBRAD / STACH: median-RR heart rate over <see cref="RuleOptions.HeartRateSeconds"/> below
/// <see cref="RuleOptions.BradycardiaBpm"/> / above <see cref="RuleOptions.TachycardiaBpm"/>, suppressed when AF scores ≥ 0.5
/// (those are sinus rhythms); the rhythm tracker demands them sustained.</item>
/// <item>NOISE: share of the last <see cref="RuleOptions.NoiseSeconds"/> quality epochs in which no lead was usable;
/// while it is ≥ 0.5 the other rules give no opinion (NaN).</item>
/// <item>Alarms: PAUSE (an RR over <see cref="RuleOptions.PauseSeconds"/>), ASYSTOLE (no QRS for
/// <see cref="RuleOptions.AsystoleSeconds"/> with a lead connected and readable, counted from the last beat or the last
/// unreadable epoch, and no onset while the QRS detector learns its levels (<see cref="ListeningSince"/>): during LEAD_OFF
/// or NOISE, or while the detector learns, a missing QRS proves nothing), LEAD_OFF and NOISE (quality states).</item>
/// </list>
/// A decision at grid sample T uses only beats decided by T (<see cref="QrsBeat.DetectedAt"/> ≤ T) and quality
/// epochs ending by T, so the output does not depend on how the stream was cut into blocks. Times in the output
/// are input stream seconds: sample / rate − <see cref="DelaySeconds"/> (a state's edge never below 0). No allocation
/// after construction.
/// </summary>
public sealed class RuleRhythmDetector
{
    private const int BeatCapacity = 512; // power of two; ≥ AfBeats + beats in HeartRateSeconds at 300 bpm
    private const double DetectionAllowanceSeconds = 0.5; // a beat is normally decided within 0.5 s of its R peak

    private readonly RuleOptions _options;
    private readonly long[] _beatR = new long[BeatCapacity], _beatAt = new long[BeatCapacity];
    private readonly bool[] _beatOdd = new bool[BeatCapacity];
    private long _beatCount;
    private readonly long[] _epochEnd;
    private readonly bool[] _epochOff, _epochNoisy, _epochMissing;
    /// <summary>End sample of the latest quality epoch in which no lead was readable.</summary>
    private long _unreadableUntil = long.MinValue;
    private long _epochCount;
    private readonly int _grid;
    private long _nextDecision = long.MinValue;
    private readonly double[] _rr, _rrClean, _rrLag, _scratch;
    private readonly double[] _rrShape; // the intervals the odd-shape veto judges (up to OddShapeMaxBeats of them)
    private readonly bool[] _rrOdd; // interval i of _rrShape starts or ends at an odd-shaped beat
    private readonly double[] _rrConducted; // the intervals of _rrShape between beats of the dominant shape
    private readonly float[] _probabilities = new float[RhythmClasses.Count];
    private bool _asystole, _leadOff, _noise;
    private long _asystoleFromR, _asystoleFrom;

    public RuleRhythmDetector(string streamId, double sampleRate = 250, double delaySeconds = 0, RuleOptions? options = null)
    {
        _options = options ?? RuleOptions.Default;
        if (!(sampleRate > 0)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        if (_options.AfBeats is < 16 or > 256) throw new ArgumentOutOfRangeException(nameof(options), _options.AfBeats, "AfBeats must be 16..256");
        if (!(_options.AfMinLagRatio >= 0)) throw new ArgumentOutOfRangeException(nameof(options), _options.AfMinLagRatio, "AfMinLagRatio must be ≥ 0");
        if (!(_options.InterruptionPremature is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), _options.InterruptionPremature, "InterruptionPremature must lie in (0, 1)");
        if (!(_options.InterruptionFrame is > 0 and < 0.5)) throw new ArgumentOutOfRangeException(nameof(options), _options.InterruptionFrame, "InterruptionFrame must lie in (0, 0.5)");
        if (!(_options.OddShapeCorrelation is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), _options.OddShapeCorrelation, "OddShapeCorrelation must lie in [0, 1)");
        if (_options.AfLagBeats is < 16 or > 256) throw new ArgumentOutOfRangeException(nameof(options), _options.AfLagBeats, "AfLagBeats must be 16..256");
        if (!(_options.OddRestRatio is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(options), _options.OddRestRatio, "OddRestRatio must lie in [0, 1)");
        if (_options.OddShapeMaxBeats is < 16 or > 256) throw new ArgumentOutOfRangeException(nameof(options), _options.OddShapeMaxBeats, "OddShapeMaxBeats must be 16..256");
        if (!(_options.DecisionSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(options), _options.DecisionSeconds, "DecisionSeconds must be positive");
        if (_options.NoiseSeconds < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.NoiseSeconds, "NoiseSeconds must be ≥ 1");
        StreamId = streamId;
        SampleRate = sampleRate;
        DelaySeconds = delaySeconds;
        _grid = Math.Max(1, (int)Math.Round(_options.DecisionSeconds * sampleRate));
        _rr = new double[_options.AfBeats];
        _rrClean = new double[_options.AfBeats];
        _rrShape = new double[Math.Max(_options.AfBeats, _options.OddShapeMaxBeats)];
        _rrOdd = new bool[_rrShape.Length];
        _rrConducted = new double[_rrShape.Length];
        _rrLag = new double[_options.AfLagBeats];
        _scratch = new double[BeatCapacity];
        _epochEnd = new long[_options.NoiseSeconds];
        _epochOff = new bool[_options.NoiseSeconds];
        _epochNoisy = new bool[_options.NoiseSeconds];
        _epochMissing = new bool[_options.NoiseSeconds];
    }

    public string StreamId { get; }
    public double SampleRate { get; }
    /// <summary>Subtracted from sample times to give input stream time (the preprocessor's delay).</summary>
    public double DelaySeconds { get; }
    public RuleOptions Options => _options;

    /// <summary>
    /// Stream sample from which the QRS detector feeding this one is listening (<see cref="Qrs.QrsDetector.ListeningSince"/>;
    /// <see cref="long.MaxValue"/> while it learns its levels). ASYSTOLE has no onset before it: no beat from a detector
    /// that is not listening proves nothing. <see cref="long.MinValue"/> (the default): always listening.
    /// </summary>
    public long ListeningSince { get; set; } = long.MinValue;

    private double Seconds(long sample) => sample / SampleRate - DelaySeconds;

    /// <summary>Adds a beat (beats must come in detection order, R peaks increasing). Raises PAUSE when its RR is too long.</summary>
    public void AddBeat(in QrsBeat beat, IRuleSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_beatCount > 0)
        {
            long prev = _beatR[(_beatCount - 1) & (BeatCapacity - 1)];
            if (beat.Sample <= prev) return; // not newer than the last beat: ignore (detector hand-over duplicates)
            double rr = (beat.Sample - prev) / SampleRate;
            // No PAUSE for an interval the leads could not see (lead-off, unreadable, a filled gap):
            // the missing beats were not absent, only unseen.
            if (rr > _options.PauseSeconds && !(_asystole && _asystoleFromR == prev) && _unreadableUntil <= prev)
                sink.OnAlarm(new RuleAlarm(AlarmKind.Pause, true, Seconds(prev), Seconds(beat.Sample), Seconds(beat.DetectedAt)));
        }
        int slot = (int)(_beatCount & (BeatCapacity - 1));
        _beatR[slot] = beat.Sample;
        _beatAt[slot] = beat.DetectedAt;
        _beatOdd[slot] = beat.Shape < _options.OddShapeCorrelation; // NaN (no dominant shape yet) is not odd
        _beatCount++;
    }

    /// <summary>Adds a quality epoch (in order).</summary>
    public void AddQuality(in QualityEpoch epoch)
    {
        int slot = (int)(_epochCount % _epochEnd.Length);
        _epochEnd[slot] = epoch.EndSample;
        _epochOff[slot] = epoch.AllLeadsOff;
        _epochNoisy[slot] = epoch.AllNoisy;
        _epochMissing[slot] = epoch.AllMissing;
        if (epoch.AllLeadsOff || epoch.AllNoisy || epoch.AllMissing) _unreadableUntil = epoch.EndSample;
        _epochCount++;
    }

    /// <summary>
    /// Makes every decision due up to stream sample <paramref name="endSample"/> (exclusive of later grid points).
    /// The first grid point is one grid step after <paramref name="origin"/> of the first call.
    /// </summary>
    public void Advance(long endSample, IRuleSink sink, long origin = 0)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_nextDecision == long.MinValue) _nextDecision = origin + _grid;
        while (_nextDecision <= endSample)
        {
            Decide(_nextDecision, sink);
            _nextDecision += _grid;
        }
    }

    /// <summary>
    /// The stream ends (or its state starts afresh after a gap): every state alarm still open (LEAD_OFF, NOISE, ASYSTOLE)
    /// gets its offset at the last decision's time, as the trackers close open episodes. Left open, nothing would ever
    /// close it: a monitor would show a lead off long after it was back.
    /// </summary>
    public void Close(IRuleSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_nextDecision == long.MinValue) return;
        long last = _nextDecision - _grid;
        double at = Seconds(last);
        if (_leadOff) { _leadOff = false; sink.OnAlarm(new RuleAlarm(AlarmKind.LeadOff, false, _stateSince[(int)AlarmKind.LeadOff], at, at)); }
        if (_noise) { _noise = false; sink.OnAlarm(new RuleAlarm(AlarmKind.Noise, false, _stateSince[(int)AlarmKind.Noise], at, at)); }
        if (_asystole)
        {
            _asystole = false;
            sink.OnAlarm(new RuleAlarm(AlarmKind.Asystole, false, Seconds(_asystoleFrom) + _options.AsystoleSeconds, at, at));
        }
    }

    private void Decide(long t, IRuleSink sink)
    {
        // Newest beat decided by t.
        long newest = _beatCount - 1;
        while (newest >= 0 && _beatCount - newest <= BeatCapacity && _beatAt[newest & (BeatCapacity - 1)] > t) newest--;
        if (_beatCount - newest > BeatCapacity) newest = -1;

        // Quality over the epochs ended by t.
        int epochs = 0, bad = 0;
        bool lastOff = false, lastNoisy = false, lastMissing = false, haveEpoch = false;
        for (long e = _epochCount - 1; e >= 0 && _epochCount - e <= _epochEnd.Length; e--)
        {
            int s = (int)(e % _epochEnd.Length);
            if (_epochEnd[s] > t) continue;
            if (!haveEpoch) { lastOff = _epochOff[s]; lastNoisy = _epochNoisy[s]; lastMissing = _epochMissing[s]; haveEpoch = true; }
            epochs++;
            // a filled gap is unreadable like noise for the rhythm scores, but raises neither LEAD_OFF nor NOISE
            if (_epochOff[s] || _epochNoisy[s] || _epochMissing[s]) bad++;
        }
        double noise = epochs > 0 ? bad / (double)epochs : double.NaN;

        UpdateState(ref _leadOff, lastOff, AlarmKind.LeadOff, t, sink);
        UpdateState(ref _noise, lastNoisy, AlarmKind.Noise, t, sink);

        // Asystole: no beat for AsystoleSeconds (allowing for detection delay) while a lead was readable. Silence counts
        // from the last beat or from when the leads became readable again, whichever is later: as with PAUSE, beats that
        // could not be seen were not absent (a reconnected lead used to raise ASYSTOLE at once, counting the lead-off as
        // silence). No onset while the QRS detector is learning its levels: it is not listening then.
        long lastR = newest >= 0 ? _beatR[newest & (BeatCapacity - 1)] : long.MinValue;
        if (lastR != long.MinValue)
        {
            long heardFrom = Math.Max(lastR, _unreadableUntil);
            bool silent = (t - heardFrom) / SampleRate >= _options.AsystoleSeconds + DetectionAllowanceSeconds;
            bool listening = ListeningSince == long.MinValue || ListeningSince <= t;
            if (silent && listening && !_asystole && !lastOff && !lastNoisy && !lastMissing)
            {
                _asystole = true;
                _asystoleFromR = lastR;
                _asystoleFrom = heardFrom;
                sink.OnAlarm(new RuleAlarm(AlarmKind.Asystole, true, Seconds(heardFrom) + _options.AsystoleSeconds, double.NaN, Seconds(t)));
            }
            else if (_asystole && lastR != _asystoleFromR)
            {
                _asystole = false;
                sink.OnAlarm(new RuleAlarm(AlarmKind.Asystole, false, Seconds(_asystoleFrom) + _options.AsystoleSeconds, Seconds(lastR), Seconds(t)));
            }
        }

        // RR intervals of the newest beats, oldest first.
        double hr = double.NaN;
        var af = new AfFeatures(0, double.NaN, double.NaN, 0, double.NaN);
        bool afVetoed = false; // ectopy, odd beats or a regular start explain the RR: AF 0
        long oldestUsed = t - (long)(_options.HeartRateSeconds * SampleRate);
        if (newest >= 1 && (t - lastR) / SampleRate < _options.PauseSeconds + DetectionAllowanceSeconds)
        {
            hr = HeartRate(newest, t);
            int n = CollectRr(newest, _rr, out long firstR);
            int m = RemoveEctopics(n);
            // More than half removed as premature/compensatory pairs or interruptions, yet the rest is irregular:
            // there is no regular rhythm underneath, so the removals were AF's own short-long intervals, not ectopy.
            // (the features of what is left are computed once, for this test and for the decision)
            AfFeatures kept = m >= AfFeatures.MinIntervals ? AfFeatures.Compute(_rr.AsSpan(0, n), _rrClean.AsSpan(0, m), _scratch) : default;
            bool irregularRest = n >= _options.AfBeats / 2 && 2 * m < n && m >= AfFeatures.MinIntervals && kept.NormalisedRmssd >= _options.AfMinNormalisedRmssd;
            if (m >= _options.AfBeats / 2 || irregularRest)
            {
                af = kept;
                // The lag ratio over its own, longer window: over 32 intervals its sampling spread alone would veto
                // a good share of genuine AF decisions (AF's expected ratio is 1, bigeminy's and trigeminy's near 0).
                // The scores' window stays the AF features' own: the veto's longer memory should not move episode
                // onsets (the tracker dates an onset by its first window's midpoint).
                int nl = CollectRr(newest, _rrLag, out _);
                af = af with { LagRatio = AfFeatures.PeriodicLagRatio(_rrLag.AsSpan(0, nl)) };
                oldestUsed = Math.Min(oldestUsed, firstR);
            }
            else if (n >= _options.AfBeats / 2 && 2 * m < n)
            {
                // Enough intervals, but more than half were premature/compensatory pairs or interruptions and the rest
                // is regular: a regular rhythm with frequent ectopy (bigeminy, PAC runs), not AF. Say so (0) rather than
                // give no opinion: NaN would leave an open AF episode open through the whole run of ectopy. "More than
                // half", not "fewer than AfBeats/2 left": while the window fills (the first AfBeats intervals of a
                // stream) one removed pair would leave too few, and AF from the first beat read as ectopy for seconds.
                // Fewer than AfBeats/2 left with most kept: no opinion yet.
                af = AfFeatures.Compute(_rr.AsSpan(0, n), _rr.AsSpan(0, n), _scratch);
                afVetoed = true;
                oldestUsed = Math.Min(oldestUsed, firstR);
            }
            else if (_options.EarlyRegularVeto && m >= AfFeatures.MinIntervals && kept.NormalisedRmssd < _options.AfMinNormalisedRmssd)
            {
                // Too few intervals for an AF opinion yet (the window fills: a stream's first 10-20 s), but those there are
                // regular: not AF so far. Only a veto, and only below AF's own irregularity floor, so that a model alone
                // cannot raise AF over the regular first seconds of a stream before the rules can judge; irregular first
                // intervals still give no opinion.
                af = kept;
                afVetoed = true;
                oldestUsed = Math.Min(oldestUsed, firstR);
            }
            // Beats of another QRS shape (PVCs, fusion beats) whose removal leaves a regular rhythm: the irregularity was
            // theirs, not AF's, whatever their timing. Only a veto: in AF the intervals between conducted beats stay
            // irregular once odd beats (aberrant, noisy) are taken out, so nothing changes there.
            if (!afVetoed && n >= _options.AfBeats / 2 && OddShapesExplainIrregularity(newest, out var rest))
            {
                af = rest;
                afVetoed = true;
                oldestUsed = Math.Min(oldestUsed, firstR);
            }
        }

        var p = _probabilities.AsSpan();
        p.Fill(float.NaN);
        p[(int)RhythmClass.NOISE] = (float)noise;
        if (!(noise >= 0.5))
        {
            double afScore = afVetoed ? 0 : af.Score(_options);
            p[(int)RhythmClass.AF] = (float)afScore;
            if (!double.IsNaN(hr))
            {
                bool sinusPossible = !(afScore >= 0.5);
                p[(int)RhythmClass.SBRAD] = (float)RateScore(RhythmClass.SBRAD, hr, sinusPossible, _options);
                p[(int)RhythmClass.STACH] = (float)RateScore(RhythmClass.STACH, hr, sinusPossible, _options);
            }
        }
        var scores = new WindowScores(StreamId, Seconds(oldestUsed), Seconds(t), EventSource.Rule, _probabilities);
        sink.OnScores(scores, hr, af);
    }

    private void UpdateState(ref bool state, bool now, AlarmKind kind, long t, IRuleSink sink)
    {
        if (state == now) return;
        state = now;
        // a state alarm never dated before the stream's first sample: the filter delay would date the first epoch and its
        // decision there (LEAD_OFF on a flat record at -0.007 s; at 1 Hz, detected at -21.5 s)
        double at = Math.Max(0, Seconds(t)), edge = Math.Max(0, at - 1.0 * _grid / SampleRate);
        // An offset carries its onset's start, so every consumer sees the whole episode.
        if (now) _stateSince[(int)kind] = edge;
        sink.OnAlarm(new RuleAlarm(kind, now, now ? edge : _stateSince[(int)kind], now ? double.NaN : edge, at));
    }

    /// <summary>Start (seconds) of each open state alarm, by <see cref="AlarmKind"/>.</summary>
    private readonly double[] _stateSince = new double[Enum.GetValues<AlarmKind>().Length];

    private double HeartRate(long newest, long t)
    {
        long from = t - (long)(_options.HeartRateSeconds * SampleRate);
        int n = 0;
        for (long b = newest; b >= 1 && newest - b < BeatCapacity - 1 && n < _scratch.Length; b--)
        {
            long r = _beatR[b & (BeatCapacity - 1)], q = _beatR[(b - 1) & (BeatCapacity - 1)];
            if (q < from) break;
            _scratch[n++] = (r - q) / SampleRate;
        }
        if (n < 2) return double.NaN;
        var s = _scratch.AsSpan(0, n);
        s.Sort();
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return 60 / median;
    }

    // Fills target with up to target.Length intervals ending at the newest beat (oldest first), skipping pauses. odd, if
    // given, says which of them start or end at an odd-shaped beat; then collection stops early, once it holds at least
    // AfBeats intervals of which enoughConducted lie between beats of the dominant shape (the odd-shape veto's window).
    private int CollectRr(long newest, double[] target, out long firstR, bool[]? odd = null, int enoughConducted = int.MaxValue)
    {
        int want = target.Length, n = 0, conducted = 0;
        firstR = _beatR[newest & (BeatCapacity - 1)];
        for (long b = newest; b >= 1 && newest - b < BeatCapacity - 1 && n < want; b--)
        {
            if (n >= _options.AfBeats && conducted >= enoughConducted) break;
            long r = _beatR[b & (BeatCapacity - 1)], q = _beatR[(b - 1) & (BeatCapacity - 1)];
            double rr = (r - q) / SampleRate;
            firstR = q;
            if (rr > _options.PauseSeconds) continue;
            target[want - 1 - n] = rr;
            if (odd is not null)
            {
                bool isOdd = _beatOdd[b & (BeatCapacity - 1)] || _beatOdd[(b - 1) & (BeatCapacity - 1)];
                odd[want - 1 - n] = isOdd;
                if (!isOdd) conducted++;
            }
            n++;
        }
        if (n < want)
        {
            target.AsSpan(want - n, n).CopyTo(target);
            odd?.AsSpan(want - n, n).CopyTo(odd);
        }
        return n;
    }

    // Intervals the odd-shape veto needs kept: with fewer, a few AF intervals can look regular by chance.
    private const int MinKeptForOddVeto = 12;

    /// <summary>
    /// With <see cref="RuleOptions.OddShapeCorrelation"/>: the newest intervals hold some into or out of an odd-shaped
    /// beat, and the others (at least 12) are regular — their AF features (<paramref name="rest"/>, the same measure as
    /// the pair and interruption removal's "is the rest regular") have RMSSD / mean below
    /// <see cref="RuleOptions.AfMinNormalisedRmssd"/>, AF's own irregularity floor — or carry less than
    /// <see cref="RuleOptions.OddRestRatio"/> of the irregularity of all the intervals. The RMSSD runs across the removed
    /// intervals, which a sinus rhythm allows (its cycle moves slowly) and AF does not (any two of its intervals differ).
    /// The window is the last <see cref="RuleOptions.AfBeats"/> intervals, reaching further back (up to
    /// <see cref="RuleOptions.OddShapeMaxBeats"/>) until 12 of them lie between beats of the dominant shape: in trigeminy
    /// with couplets one interval in three to five does, and 32 intervals never held enough to judge. The irregularity of
    /// all the intervals is the same trimmed RMSSD / mean as the rest's, so the two compare like with like.
    /// </summary>
    private bool OddShapesExplainIrregularity(long newest, out AfFeatures rest)
    {
        rest = default;
        if (!(_options.OddShapeCorrelation > 0)) return false;
        int n = CollectRr(newest, _rrShape, out _, _rrOdd, MinKeptForOddVeto), kept = 0;
        for (int i = 0; i < n; i++)
            if (!_rrOdd[i]) _rrConducted[kept++] = _rrShape[i];
        if (kept == n || kept < MinKeptForOddVeto) return false;
        rest = AfFeatures.Compute(_rrShape.AsSpan(0, n), _rrConducted.AsSpan(0, kept), _scratch);
        if (rest.NormalisedRmssd < _options.AfMinNormalisedRmssd) return true;
        if (!(_options.OddRestRatio > 0)) return false;
        var all = AfFeatures.Compute(_rrShape.AsSpan(0, n), _rrShape.AsSpan(0, n), _scratch);
        return rest.NormalisedRmssd < _options.OddRestRatio * all.NormalisedRmssd;
    }

    private int CopyRr(int n)
    {
        _rr.AsSpan(0, n).CopyTo(_rrClean);
        return n;
    }

    // The intervals left for the AF features once premature/compensatory pairs and interruptions are taken out.
    private int RemoveEctopics(int n)
    {
        if (n < 3 || !_options.RemoveEctopicPairs) return CopyRr(n);
        // The normal RR the pairs are judged against. The median RR fails once ectopy is frequent (in bigeminy half
        // the intervals are premature, and the median is one of them); half the median of adjacent-pair sums does
        // not: a premature + compensatory pair sums to two normal intervals, and the sums of a normal with a
        // premature or a compensatory interval fall on either side of that.
        double med;
        if (_options.EctopicReferenceFromPairs)
        {
            var s = _scratch.AsSpan(0, n - 1);
            for (int i = 0; i + 1 < n; i++) s[i] = _rr[i] + _rr[i + 1];
            s.Sort();
            med = 0.5 * s[(n - 1) / 2];
        }
        else
        {
            var s = _scratch.AsSpan(0, n);
            _rr.AsSpan(0, n).CopyTo(s);
            s.Sort();
            med = s[n / 2];
        }
        int m = 0, lastRemoved = -2;
        for (int i = 0; i < n; i++)
        {
            if (i + 1 < n && _rr[i] < 0.9 * med && _rr[i + 1] > 1.1 * med)
            {
                double pair = _rr[i] + _rr[i + 1];
                if (pair >= 1.8 * med && pair <= 2.2 * med) { lastRemoved = ++i; continue; }
            }
            if (_options.RemoveInterruptions && i >= 1)
            {
                int last = InterruptionEnd(i, n, med, afterRemoved: i - 1 == lastRemoved);
                if (last > i) { i = lastRemoved = last; continue; }
            }
            _rrClean[m++] = _rr[i];
        }
        return m;
    }

    /// <summary>
    /// A regular rhythm interrupted (<see cref="RuleOptions.RemoveInterruptions"/>): if the intervals from
    /// <paramref name="i"/> are one premature interval, a couplet, or a regular run of them (an SVTA/PAC salvo), followed
    /// by a return interval, framed by the normal cycle <paramref name="normal"/> — the interval before on it (or itself
    /// the end of a removed interruption, <paramref name="afterRemoved"/>), the one after the return on it or premature
    /// again (the next interruption, as in bigeminy) — the index of the return interval; otherwise −1. The return need
    /// not be compensatory (a PAC resets the sinus node: premature + return sum to less than two cycles); what marks an
    /// interruption is the normal cycle around it. In AF the framing intervals are as random as the rest, so few
    /// stretches qualify.
    /// </summary>
    private int InterruptionEnd(int i, int n, double normal, bool afterRemoved)
    {
        double premature = _options.InterruptionPremature, frame = _options.InterruptionFrame;
        const double RunSpread = 1.25, MaxReturn = 1.3;
        bool OnCycle(double rr) => Math.Abs(rr - normal) <= frame * normal;
        if (!(afterRemoved || OnCycle(_rr[i - 1])) || _rr[i] >= premature * normal) return -1;
        double lo = _rr[i], hi = _rr[i];
        int j = i;
        // further premature intervals: a couplet as it comes, a longer run only if regular (an SVTA run is; AF is not)
        while (j + 1 < n && j + 1 - i < MaxInterruptionRun && _rr[j + 1] < premature * normal
               && (j == i || Math.Max(hi, _rr[j + 1]) <= RunSpread * Math.Min(lo, _rr[j + 1])))
        {
            j++;
            lo = Math.Min(lo, _rr[j]);
            hi = Math.Max(hi, _rr[j]);
        }
        int ret = j + 1;
        if (ret + 1 >= n) return -1; // the interval after the return is not in yet: judged at a later decision
        if (_rr[ret] < (1 - frame) * normal || _rr[ret] > MaxReturn * normal) return -1;
        return OnCycle(_rr[ret + 1]) || _rr[ret + 1] < premature * normal ? ret : -1;
    }

    /// <summary>Longest run of premature intervals taken for one interruption (a salvo of 8 beats).</summary>
    private const int MaxInterruptionRun = 8;

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// The rules' probability of a rate class at heart rate <paramref name="bpm"/>: 0.5 at <see cref="RuleOptions.TachycardiaBpm"/>
    /// (STACH) or <see cref="RuleOptions.BradycardiaBpm"/> (SBRAD), logistic with a 2 bpm scale on either side; 0 when the
    /// rhythm cannot be sinus (AF called), since these are sinus rhythms. The stream's rules and `classify`'s record
    /// decision both use it, so a record and a stream call the same rate the same way.
    /// </summary>
    public static double RateScore(RhythmClass rateClass, double bpm, bool sinusPossible, RuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!sinusPossible) return 0;
        return rateClass switch
        {
            RhythmClass.STACH => Logistic((bpm - options.TachycardiaBpm) / 2),
            RhythmClass.SBRAD => Logistic((options.BradycardiaBpm - bpm) / 2),
            _ => throw new ArgumentOutOfRangeException(nameof(rateClass), rateClass, "a rate class is STACH or SBRAD"),
        };
    }
}
