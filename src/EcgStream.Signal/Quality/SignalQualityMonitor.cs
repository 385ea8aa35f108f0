using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Signal.Filters;

namespace EcgStream.Signal.Quality;

/// <summary>Receives one epoch's quality.</summary>
public delegate void QualityHandler(in QualityEpoch epoch);

/// <summary>
/// Per-lead signal quality on 1 s epochs. Two inputs, in this order for every block:
/// <see cref="ProcessRaw"/> with the raw block (flat line: range under <see cref="QualityOptions.FlatRangeMillivolts"/>;
/// saturation: share of samples at the epoch's max or min value; device lead-off bits), then
/// <see cref="ProcessFiltered"/> with the preprocessed 250 Hz block (noise, after Li, Mark &amp; Clifford,
/// "Robust heart rate estimation from multiple asynchronous noisy sources using signal quality indices and
/// a Kalman filter", Physiol. Meas. 29:15–32 (2008): kSQI = kurtosis, pSQI = share of power in 5–15 Hz,
/// both over the last <see cref="QualityOptions.NoiseSeconds"/> s; and the share of power above 15 Hz, which
/// catches broadband noise that kurtosis and pSQI miss: white noise has kurtosis 3 and pSQI ≈ 0.26).
/// A 250 Hz epoch ending at sample n uses the newest raw epoch that is certainly complete once output n−1
/// exists, so reports do not depend on how the stream was cut into blocks (raw flags lag by ≤ 1 epoch).
/// </summary>
public sealed class SignalQualityMonitor
{
    private const int RawEpochHistory = 8;
    private readonly QualityOptions _options;
    private readonly int _rawEpoch, _epoch, _leadCount;
    private readonly SosFilter _qrsBand, _highBand;
    // Raw epoch accumulators per plane, and finished raw flags by epoch index (ring).
    private readonly RawExtremes[] _raw;
    private readonly ushort[] _rawFlat = new ushort[RawEpochHistory], _rawSat = new ushort[RawEpochHistory], _rawOff = new ushort[RawEpochHistory],
        _rawMissing = new ushort[RawEpochHistory];
    private long _rawCount, _rawEpochsDone;
    private ushort _rawOffAccum, _rawMissingAccum;
    // Filtered epoch accumulators per plane: Σx, Σx², Σx³, Σx⁴, Σy² (y = 5–15 Hz band), Σh² (h = 15–45 Hz band) over the current epoch,
    // and the finished epochs' sums in a ring of NoiseSeconds.
    private const int Moments = 6;
    private readonly double[] _sums;      // [plane, Moments]
    private readonly double[] _history;   // [epoch slot, plane, Moments]
    private readonly double[] _kurtosis, _powerRatio, _highRatio;
    private float[] _band = new float[256], _high = new float[256];
    private long _origin = long.MinValue, _count, _epochsDone;

    public SignalQualityMonitor(double rawRate, LeadSet leads, QualityOptions? options = null, double outputRate = 250)
    {
        if (!(rawRate > 0) || !double.IsFinite(rawRate)) throw new ArgumentOutOfRangeException(nameof(rawRate), rawRate, "raw rate must be positive");
        if (leads.IsEmpty) throw new ArgumentException("a stream needs at least one lead", nameof(leads));
        _options = options ?? QualityOptions.Default;
        if (_options.NoiseSeconds < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.NoiseSeconds, "NoiseSeconds must be ≥ 1");
        RawRate = rawRate;
        OutputRate = outputRate;
        Leads = leads;
        _leadCount = leads.Count;
        _rawEpoch = (int)Math.Round(rawRate);
        _epoch = (int)Math.Round(outputRate);
        _raw = new RawExtremes[_leadCount];
        ResetRawEpoch();
        _qrsBand = new SosFilter(FilterDesign.ButterworthBandPass(2, 5, 15, outputRate), _leadCount);
        _highBand = new SosFilter(FilterDesign.ButterworthBandPass(2, 15, Math.Min(45, 0.45 * outputRate), outputRate), _leadCount);
        _sums = new double[_leadCount * Moments];
        _history = new double[_options.NoiseSeconds * _leadCount * Moments];
        _kurtosis = new double[_leadCount];
        _powerRatio = new double[_leadCount];
        _highRatio = new double[_leadCount];
    }

    public double RawRate { get; }
    public double OutputRate { get; }
    public LeadSet Leads { get; }

    /// <summary>kSQI of <paramref name="lead"/> at the last epoch (NaN before the first, or for an absent lead).</summary>
    public double Kurtosis(Lead lead) => Leads.IndexOf(lead) is int p and >= 0 && _epochsDone > 0 ? _kurtosis[p] : double.NaN;
    /// <summary>pSQI of <paramref name="lead"/> at the last epoch.</summary>
    public double QrsPowerRatio(Lead lead) => Leads.IndexOf(lead) is int p and >= 0 && _epochsDone > 0 ? _powerRatio[p] : double.NaN;

    /// <summary>Share of <paramref name="lead"/>'s power above 15 Hz at the last epoch.</summary>
    public double HighFrequencyRatio(Lead lead) => Leads.IndexOf(lead) is int p and >= 0 && _epochsDone > 0 ? _highRatio[p] : double.NaN;

    /// <summary>Feeds the raw (pre-resampling) block. Call before <see cref="ProcessFiltered"/> for the same block.</summary>
    public void ProcessRaw(in SampleBlock raw)
    {
        if (raw.Leads != Leads) throw new ArgumentException($"block {raw} carries leads {raw.Leads}, the monitor was set up for {Leads}", nameof(raw));
        int done = 0;
        while (done < raw.Length)
        {
            int inEpoch = (int)(_rawCount % _rawEpoch);
            int n = Math.Min(raw.Length - done, _rawEpoch - inEpoch);
            _rawOffAccum |= raw.LeadOff.Mask;
            _rawMissingAccum |= raw.Unreadable.Mask;
            for (int p = 0; p < _leadCount; p++)
            {
                var x = raw.Plane(p).Slice(done, n);
                _raw[p].Add(x);
            }
            done += n;
            _rawCount += n;
            if (_rawCount % _rawEpoch == 0) FinishRawEpoch();
        }
    }

    private void FinishRawEpoch()
    {
        ushort flat = 0, sat = 0;
        for (int p = 0; p < _leadCount; p++)
        {
            int bit = 1 << (int)Leads[p];
            var problem = _raw[p].Judge(_rawEpoch, _options);
            if (problem == LeadProblem.Flat) flat |= (ushort)bit;
            else if (problem == LeadProblem.Saturated) sat |= (ushort)bit;
        }
        // Held values over a filled gap are not a flat line or a rail: a lead with missing samples is
        // reported Missing only (it is unreadable, not disconnected).
        ushort missing = (ushort)(_rawMissingAccum & Leads.Mask);
        flat &= (ushort)~missing;
        sat &= (ushort)~missing;
        int slot = (int)(_rawEpochsDone % RawEpochHistory);
        _rawFlat[slot] = flat;
        _rawSat[slot] = sat;
        _rawOff[slot] = (ushort)(_rawOffAccum & Leads.Mask);
        _rawMissing[slot] = missing;
        _rawEpochsDone++;
        _rawOffAccum = 0;
        _rawMissingAccum = 0;
        ResetRawEpoch();
    }

    /// <summary>
    /// The raw epoch (whole seconds of input from the stream's start; −1: none yet) whose flags the output epoch ending
    /// <paramref name="outputSamples"/> samples into the stream takes: the newest certainly complete once output
    /// <paramref name="outputSamples"/> − 1 exists (raw input ⌊(n−1)·fraw/fout⌋ consumed), so reports do not depend on
    /// block sizes. Whole-record windows take their seconds by the same rule.
    /// </summary>
    public static long RawEpochJudgedWith(long outputSamples, double rawRate, double outputRate)
    {
        long rawConsumed = (long)Math.Floor((outputSamples - 1) * rawRate / outputRate) + 1;
        return rawConsumed / (int)Math.Round(rawRate) - 1;
    }

    private void ResetRawEpoch()
    {
        Array.Fill(_raw, RawExtremes.Empty);
    }

    /// <summary>Feeds the preprocessed 250 Hz block and reports every epoch it completes.</summary>
    public void ProcessFiltered(in SampleBlock filtered, QualityHandler onEpoch)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        if (filtered.Leads != Leads) throw new ArgumentException($"block {filtered} carries leads {filtered.Leads}, the monitor was set up for {Leads}", nameof(filtered));
        if (_origin == long.MinValue) _origin = filtered.StartSample;
        if (_band.Length < filtered.Length)
        {
            _band = new float[Math.Max(filtered.Length, _band.Length * 2)];
            _high = new float[_band.Length];
        }
        int done = 0;
        while (done < filtered.Length)
        {
            int inEpoch = (int)(_count % _epoch);
            int n = Math.Min(filtered.Length - done, _epoch - inEpoch);
            for (int p = 0; p < _leadCount; p++)
            {
                var x = filtered.Plane(p).Slice(done, n);
                var y = _band.AsSpan(0, n);
                var h = _high.AsSpan(0, n);
                _qrsBand.Process(p, x, y);
                _highBand.Process(p, x, h);
                double s1 = 0, s2 = 0, s3 = 0, s4 = 0, b2 = 0, h2 = 0;
                for (int i = 0; i < n; i++)
                {
                    double v = x[i], v2 = v * v;
                    s1 += v; s2 += v2; s3 += v2 * v; s4 += v2 * v2;
                    b2 += (double)y[i] * y[i];
                    h2 += (double)h[i] * h[i];
                }
                var acc = _sums.AsSpan(p * Moments, Moments);
                acc[0] += s1; acc[1] += s2; acc[2] += s3; acc[3] += s4; acc[4] += b2; acc[5] += h2;
            }
            done += n;
            _count += n;
            if (_count % _epoch == 0) FinishEpoch(onEpoch);
        }
    }

    private void FinishEpoch(QualityHandler onEpoch)
    {
        int slots = _options.NoiseSeconds;
        int slot = (int)(_epochsDone % slots);
        _sums.CopyTo(_history.AsSpan(slot * _leadCount * Moments, _leadCount * Moments));
        Array.Clear(_sums);
        _epochsDone++;
        int used = (int)Math.Min(_epochsDone, slots);

        ushort noisy = 0;
        for (int p = 0; p < _leadCount; p++)
        {
            double s1 = 0, s2 = 0, s3 = 0, s4 = 0, b2 = 0, h2 = 0;
            for (int e = 0; e < used; e++)
            {
                var h = _history.AsSpan((e * _leadCount + p) * Moments, Moments);
                s1 += h[0]; s2 += h[1]; s3 += h[2]; s4 += h[3]; b2 += h[4]; h2 += h[5];
            }
            double n = (double)used * _epoch;
            double m = s1 / n, var = s2 / n - m * m;
            double m4 = s4 / n - 4 * m * s3 / n + 6 * m * m * s2 / n - 3 * m * m * m * m;
            _kurtosis[p] = var > 1e-12 ? m4 / (var * var) : 0;
            _powerRatio[p] = s2 > 1e-12 ? b2 / s2 : 0;
            _highRatio[p] = s2 > 1e-12 ? h2 / s2 : 0;
            // Judge noise once the indices cover the whole span (earlier, filter start-up dominates).
            if (_epochsDone >= slots && (_kurtosis[p] < _options.MinKurtosis
                || _powerRatio[p] < _options.MinQrsPowerRatio || _powerRatio[p] > _options.MaxQrsPowerRatio
                || _highRatio[p] > _options.MaxHighFrequencyRatio))
                noisy |= (ushort)(1 << (int)Leads[p]);
        }

        // Newest raw epoch certainly complete: raw input ⌊(end−1)·fraw/fout⌋ has been consumed.
        long end = _origin + _count;
        long rawEpoch = RawEpochJudgedWith(_count, RawRate, OutputRate);
        ushort flat = 0, sat = 0, off = 0, missing = 0;
        if (rawEpoch >= 0 && rawEpoch < _rawEpochsDone && _rawEpochsDone - rawEpoch <= RawEpochHistory)
        {
            int rs = (int)(rawEpoch % RawEpochHistory);
            flat = _rawFlat[rs]; sat = _rawSat[rs]; off = _rawOff[rs]; missing = _rawMissing[rs];
        }
        var present = Leads;
        onEpoch(new QualityEpoch(end - _epoch, end, present, new LeadSet(flat), new LeadSet(sat), new LeadSet(off),
            new LeadSet((ushort)(noisy & ~(flat | sat | off | missing))), new LeadSet(missing)));
    }
}
