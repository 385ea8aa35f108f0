namespace EcgStream.Synthetic.Model;

/// <summary>
/// Sinus heart-rate variability: the relative RR modulation m(t), so that RR = RR̄·(1 + m(t)).
/// ECGSYN (McSharry et al. 2003, section II-A) draws the RR tachogram from a bimodal power spectrum
/// (Mayer waves, LF ≈ 0.1 Hz; respiratory sinus arrhythmia, HF at the breathing rate; each a Gaussian
/// with σ ≈ 0.01 Hz; LF/HF ratio a parameter) by an inverse FFT with random phases. We draw the
/// same spectrum as a sum of sinusoids with frequencies sampled from it and random phases (the
/// spectral-representation method), which can be evaluated at any time without a buffer, so an
/// endless stream needs no look-ahead.
/// </summary>
internal sealed class HrvProcess
{
    private const int Components = 24;
    private readonly double[] _freq = new double[Components];
    private readonly double[] _phase = new double[Components];
    private readonly double _amp;
    private readonly double _respHz, _respPhase;

    public HrvProcess(Patient patient, long seed)
    {
        var rng = Rng.Derive(seed, 3);
        double lfShare = patient.LfHfRatio / (1 + patient.LfHfRatio);
        for (int k = 0; k < Components; k++)
        {
            _freq[k] = rng.Chance(lfShare) ? rng.NormalClamped(0.1, 0.01, 0.04, 0.16) : rng.NormalClamped(patient.RespirationHz, 0.01, 0.12, 0.45);
            _phase[k] = rng.Uniform(0, 2 * Math.PI);
        }
        // Equal-power sinusoids: the sum has standard deviation HrvFraction.
        _amp = patient.HrvFraction * Math.Sqrt(2.0 / Components);
        _respHz = patient.RespirationHz;
        _respPhase = rng.Uniform(0, 2 * Math.PI);
    }

    /// <summary>m(t) plus an extra respiratory term of relative amplitude <paramref name="respiratory"/> (sinus arrhythmia).</summary>
    public double Modulation(double t, double respiratory)
    {
        double m = 0;
        for (int k = 0; k < Components; k++) m += Math.Sin(2 * Math.PI * _freq[k] * t + _phase[k]);
        m *= _amp;
        if (respiratory != 0) m += respiratory * Math.Sin(2 * Math.PI * _respHz * t + _respPhase);
        return m;
    }

    /// <summary>Respiratory phase modulation of QRS amplitude (chest movement turns the heart relative to the electrodes).</summary>
    public double Breath(double t) => Math.Sin(2 * Math.PI * _respHz * t + _respPhase);
}
