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
    private readonly double[] _respPhase = new double[Channels], _plPhase = new double[Channels], _emgAmPhase = new double[Channels];
    private readonly double _respHz, _plHz, _emgAmHz;
    // Electrode-motion bursts per channel: samples left, length, amplitude.
    private readonly int[] _burstLeft = new int[Channels], _burstLength = new int[Channels];
    private readonly double _burstAmp;
    private const double BurstRate = 0.1, BurstMin = 0.4, BurstMax = 2.0;
    private readonly NstdbRecord? _nbw, _nma;
    private readonly double[] _nOffset = new double[Channels];
    private long _n;

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

        var bwChain = new[] { Biquad.LowPass(0.3, fs), Biquad.LowPass(0.3, fs) };
        var emgChain = new[] { Biquad.HighPass(20, fs), Biquad.LowPass(Math.Min(150, 0.4 * fs), fs) };
        var emChain = new[] { Biquad.HighPass(0.5, fs), Biquad.LowPass(10, fs) };
        _bwGain = 1 / Biquad.WhiteNoiseGain(bwChain, (int)(60 * fs));
        _emgGain = 1 / Biquad.WhiteNoiseGain(emgChain, (int)(2 * fs));
        _emGain = 1 / Biquad.WhiteNoiseGain(emChain, (int)(20 * fs));
        for (int c = 0; c < Channels; c++)
        {
            _bw[2 * c] = bwChain[0]; _bw[2 * c + 1] = bwChain[1];
            _emg[2 * c] = emgChain[0]; _emg[2 * c + 1] = emgChain[1];
            _em[2 * c] = emChain[0]; _em[2 * c + 1] = emChain[1];
            _respPhase[c] = _rng.Uniform(0, 2 * Math.PI);
            _plPhase[c] = _rng.Uniform(0, 2 * Math.PI);
            _emgAmPhase[c] = _rng.Uniform(0, 2 * Math.PI);
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
            Advance(v, _n, filtersOnly: false);
            double g = gain[i];
            if (g != 0)
                for (int c = 0; c < Channels; c++) channels[c][i] += g * v[c];
            _n++;
        }
    }

    private void Advance(Span<double> v, long n, bool filtersOnly)
    {
        double t = n / _fs;
        for (int c = 0; c < Channels; c++)
        {
            double s = 0;
            if (_wBw > 0)
            {
                double lp = _bw[2 * c + 1].Process(_bw[2 * c].Process(_rng.Normal())) * _bwGain;
                // Half the wander is breathing, half random drift.
                s += _wBw * (Math.Sqrt(0.5) * lp + Math.Sin(2 * Math.PI * _respHz * t + _respPhase[c]));
            }
            if (_wEm > 0)
            {
                double g = _em[2 * c + 1].Process(_em[2 * c].Process(_rng.Normal())) * _emGain;
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
                double w = _emg[2 * c + 1].Process(_emg[2 * c].Process(_rng.Normal())) * _emgGain;
                // Slow amplitude modulation (muscle tension), normalised so the mean power stays 1.
                s += _wEmg * w * (1 + 0.3 * Math.Sin(2 * Math.PI * _emgAmHz * t + _emgAmPhase[c])) / Math.Sqrt(1.045);
            }
            if (_wPl > 0)
            {
                double ph = 2 * Math.PI * _plHz * t + _plPhase[c];
                s += _wPl * Math.Sqrt(2 / 1.0225) * (Math.Sin(ph) + 0.15 * Math.Sin(3 * ph));
            }
            if (_nbw is not null) s += _wNbw * Sample(_nbw, c, t);
            if (_nma is not null) s += _wNma * Sample(_nma, c, t);
            v[c] = s;
        }
    }

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
