using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic.Noise;

/// <summary>
/// Unit-power noise for the eight independent leads (I, II, V1–V6), mixed from the components of a
/// <see cref="NoiseSpec"/> by their weights. Each channel has its own state (noise comes from
/// electrodes, so leads get different noise). Generated sample by sample in stream order from its
/// own random stream, so the output does not depend on block sizes and switching noise on does not
/// change the clean signal. No allocation after construction.
/// </summary>
internal sealed class NoiseGenerator
{
    private const int Channels = LeadProjection.Channels;

    private readonly double _fs;
    private readonly Rng _rng;
    private readonly double _wBw, _wEmg, _wPl, _wEm, _wNbw, _wNma;
    private readonly Biquad[] _bw = new Biquad[Channels * 2];
    private readonly Biquad[] _emg = new Biquad[Channels * 2];
    private readonly Biquad[] _em = new Biquad[Channels * 2];
    private readonly double _bwGain, _emgGain, _emGain;
    // Per-channel phases of the sinusoidal components, as cos/sin pairs.
    private readonly double[] _respCos = new double[Channels], _respSin = new double[Channels];
    private readonly double[] _plCos = new double[Channels], _plSin = new double[Channels], _pl3Cos = new double[Channels], _pl3Sin = new double[Channels];
    private readonly double[] _amCos = new double[Channels], _amSin = new double[Channels];
    private readonly double _respHz, _plHz, _emgAmHz;
    // Electrode-motion bursts per channel: samples left, length, amplitude.
    private readonly int[] _burstLeft = new int[Channels], _burstLength = new int[Channels];
    private readonly double _burstAmp;
    private const double BurstRate = 0.1, BurstMin = 0.4, BurstMax = 2.0;
    private readonly NstdbRecord? _nbw, _nma;
    private readonly double[] _nOffset = new double[Channels];
    private long _n;
    private const int BwDecimation = 16;
    // Wander's random part at the decimated rate: the last two outputs per channel, interpolated between.
    private readonly double[] _bwPrev = new double[Channels], _bwNext = new double[Channels];

    public NoiseGenerator(NoiseSpec spec, double fs, double respirationHz, long seed)
    {
        _fs = fs;
        _rng = Rng.Derive(seed, 5);
        double total = spec.TotalWeight;
        if (total <= 0) total = 1;
        // Amplitude weights: the spec's weights are relative powers.
        _wBw = Math.Sqrt(spec.BaselineWander / total);
        _wEmg = Math.Sqrt(spec.Muscle / total);
        _wPl = Math.Sqrt(spec.Powerline / total);
        _wEm = Math.Sqrt(spec.ElectrodeMotion / total);
        _wNbw = Math.Sqrt(spec.NstdbBaselineWander / total);
        _wNma = Math.Sqrt(spec.NstdbMuscle / total);
        _respHz = respirationHz;
        _plHz = spec.PowerlineHz;
        _emgAmHz = 0.13;

        // Wander is below 0.5 Hz: its random part runs at fs / BwDecimation and is interpolated.
        var bwChain = new[] { Biquad.LowPass(0.3, fs / BwDecimation), Biquad.LowPass(0.3, fs / BwDecimation) };
        var emgChain = new[] { Biquad.HighPass(20, fs), Biquad.LowPass(Math.Min(150, 0.4 * fs), fs) };
        var emChain = new[] { Biquad.HighPass(0.5, fs), Biquad.LowPass(10, fs) };
        _bwGain = 1 / Biquad.WhiteNoiseGain(bwChain, (int)(60 * fs / BwDecimation));
        _emgGain = 1 / Biquad.WhiteNoiseGain(emgChain, (int)(2 * fs));
        _emGain = 1 / Biquad.WhiteNoiseGain(emChain, (int)(20 * fs));
        for (int c = 0; c < Channels; c++)
        {
            _bw[2 * c] = bwChain[0]; _bw[2 * c + 1] = bwChain[1];
            _emg[2 * c] = emgChain[0]; _emg[2 * c + 1] = emgChain[1];
            _em[2 * c] = emChain[0]; _em[2 * c + 1] = emChain[1];
            (_respSin[c], _respCos[c]) = Math.SinCos(_rng.Uniform(0, 2 * Math.PI));
            double pl = _rng.Uniform(0, 2 * Math.PI);
            (_plSin[c], _plCos[c]) = Math.SinCos(pl);
            (_pl3Sin[c], _pl3Cos[c]) = Math.SinCos(3 * pl);
            (_amSin[c], _amCos[c]) = Math.SinCos(_rng.Uniform(0, 2 * Math.PI));
        }
        // Mean power of the bursts is 1: rate · E[length] · (mean square of a Hann window, 3/8) · A².
        _burstAmp = Math.Sqrt(1 / (BurstRate * (BurstMin + BurstMax) / 2 * 0.375));

        if (_wNbw > 0 || _wNma > 0)
        {
            var dir = spec.NstdbDirectory ?? throw new ScenarioException("noise.nstdbDirectory is required when an nstdb weight is above 0");
            if (_wNbw > 0) _nbw = NstdbRecord.Load(dir, "bw");
            if (_wNma > 0) _nma = NstdbRecord.Load(dir, "ma");
            var r = _nbw ?? _nma!;
            for (int c = 0; c < Channels; c++) _nOffset[c] = _rng.Uniform(0, r.Channels[0].Length);
        }

        // Let the slow filters reach their stationary state before the first sample counts.
        Span<double> warm = stackalloc double[Channels];
        if (_wBw > 0 || _wEm > 0)
            for (int i = 0; i < (int)(10 * fs); i++) { Advance(warm, 0, filtersOnly: true); }
    }

    /// <summary>Adds gain[i]·noise to channels[c][i] for the next <paramref name="n"/> samples of the stream.</summary>
    public void AddTo(double[][] channels, ReadOnlySpan<double> gain, int n)
    {
        Span<double> v = stackalloc double[Channels];
        for (int i = 0; i < n; i++)
        {
            double g = gain[i];
            // Where the gain is 0 the noise processes pause: cheaper, and still a function of the
            // sample index alone, so block sizes cannot change the output.
            if (g != 0)
            {
                Advance(v, _n, filtersOnly: false);
                for (int c = 0; c < Channels; c++) channels[c][i] += g * v[c];
            }
            _n++;
        }
    }

    private void Advance(Span<double> v, long n, bool filtersOnly)
    {
        double t = n / _fs;
        // Each channel's sinusoids differ only in phase: sin(ωt + φ) = sin ωt·cos φ + cos ωt·sin φ,
        // so the trigonometry is done once per sample, not once per channel.
        var (sResp, cResp) = _wBw > 0 ? Math.SinCos(2 * Math.PI * _respHz * t) : (0, 0);
        var (sAm, cAm) = _wEmg > 0 && !filtersOnly ? Math.SinCos(2 * Math.PI * _emgAmHz * t) : (0, 0);
        var (sPl, cPl) = _wPl > 0 && !filtersOnly ? Math.SinCos(2 * Math.PI * _plHz * t) : (0, 0);
        // Third harmonic from the fundamental: sin 3x = 3 sin x − 4 sin³x, cos 3x = 4 cos³x − 3 cos x.
        double sPl3 = 3 * sPl - 4 * sPl * sPl * sPl, cPl3 = 4 * cPl * cPl * cPl - 3 * cPl;
        for (int c = 0; c < Channels; c++)
        {
            double s = 0;
            if (_wBw > 0)
            {
                int phase = (int)(n % BwDecimation);
                if (phase == 0)
                {
                    _bwPrev[c] = _bwNext[c];
                    _bwNext[c] = _bw[2 * c + 1].Process(_bw[2 * c].Process(_rng.Normal())) * _bwGain;
                }
                double lp = _bwPrev[c] + (_bwNext[c] - _bwPrev[c]) * phase / BwDecimation;
                // Half the wander is breathing, half random drift.
                s += _wBw * (Math.Sqrt(0.5) * lp + sResp * _respCos[c] + cResp * _respSin[c]);
            }
            if (_wEm > 0)
            {
                double g = _em[2 * c + 1].Process(_em[2 * c].Process(UniformWhite())) * _emGain;
                if (!filtersOnly)
                {
                    if (_burstLeft[c] == 0 && _rng.NextDouble() < BurstRate / _fs)
                        _burstLeft[c] = _burstLength[c] = (int)(_rng.Uniform(BurstMin, BurstMax) * _fs);
                    if (_burstLeft[c] > 0)
                    {
                        double u = 1 - (double)_burstLeft[c] / _burstLength[c];
                        s += _wEm * _burstAmp * 0.5 * (1 - Math.Cos(2 * Math.PI * u)) * g;
                        _burstLeft[c]--;
                    }
                }
            }
            if (filtersOnly) continue;
            if (_wEmg > 0)
            {
                double w = _emg[2 * c + 1].Process(_emg[2 * c].Process(UniformWhite())) * _emgGain;
                // Slow amplitude modulation (muscle tension), normalised so the mean power stays 1.
                s += _wEmg * w * (1 + 0.3 * (sAm * _amCos[c] + cAm * _amSin[c])) / Math.Sqrt(1.045);
            }
            if (_wPl > 0)
            {
                s += _wPl * Math.Sqrt(2 / 1.0225) * (sPl * _plCos[c] + cPl * _plSin[c] + 0.15 * (sPl3 * _pl3Cos[c] + cPl3 * _pl3Sin[c]));
            }
            if (_nbw is not null) s += _wNbw * Sample(_nbw, c, t);
            if (_nma is not null) s += _wNma * Sample(_nma, c, t);
            v[c] = s;
        }
    }

    /// <summary>
    /// Unit-variance uniform white noise. Band-pass filtering sums many samples, so the filtered
    /// output is Gaussian to a close approximation (central limit theorem) at a fraction of the
    /// cost of a normal draw per sample.
    /// </summary>
    private double UniformWhite() => (_rng.NextDouble() - 0.5) * 3.4641016151377544;

    /// <summary>Record channel c mod 2 at time t from this channel's random offset, linearly interpolated, wrapping around.</summary>
    private double Sample(NstdbRecord r, int c, double t)
    {
        var x = r.Channels[c & 1];
        double pos = _nOffset[c] + t * r.SampleRate;
        pos %= x.Length;
        int i = (int)pos;
        double f = pos - i;
        int j = i + 1 == x.Length ? 0 : i + 1;
        return x[i] + f * (x[j] - x[i]);
    }
}
