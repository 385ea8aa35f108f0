namespace EcgStream.Synthetic.Model;

/// <summary>
/// Continuous (not beat-locked) electrical activity, evaluated in closed form at any time:
/// <list type="bullet">
/// <item>AF fibrillatory waves after Stridh &amp; Sörnmo, "Spatiotemporal QRST cancellation techniques
/// for analysis of atrial fibrillation", IEEE TBME 48(1):105–111 (2001): a sawtooth-like sum of
/// harmonics, f(t) = a(t)·Σₖ cₖ sin(kθ(t)), with the fundamental (4–9 Hz) frequency-modulated
/// (θ̇ = 2π(f₀ + Δf·sin 2πf_m t)) and the amplitude modulated; a second, weaker wavelet at another
/// frequency and direction makes the pattern irregular across leads.</item>
/// <item>Atrial flutter F waves: a band-limited sawtooth (slow descent, sharp ascent) at 250–350/min,
/// directed so that the inferior leads show the classic negative saw-tooth.</item>
/// <item>VF: three frequency- and amplitude-modulated oscillators at 4–8 Hz with different dipole
/// directions, decaying from coarse to fine over the episode.</item>
/// </list>
/// </summary>
internal sealed class AtrialActivity
{
    private readonly double _f0, _f1, _df, _fm, _fa, _amp;
    private readonly Vec3 _afDir, _afDir2;
    private readonly Vec3 _flutterDir;
    private readonly double _flutterAmp;
    private readonly double[] _vfF = new double[3], _vfDf = new double[3], _vfFm = new double[3], _vfPhase = new double[3], _vfAmp = new double[3], _vfAm = new double[3];
    private readonly Vec3[] _vfDir = new Vec3[3];
    private readonly double _vfA0, _vfTau;

    public AtrialActivity(Patient p, long seed)
    {
        var rng = Rng.Derive(seed, 4);
        _f0 = p.FibrillationHz;
        _f1 = Math.Clamp(p.FibrillationHz * rng.Uniform(1.1, 1.3), 4, 9);
        _df = rng.Uniform(0.1, 0.4);
        _fm = rng.Uniform(0.08, 0.2);
        _fa = rng.Uniform(0.1, 0.3);
        _amp = p.FibrillationAmplitude;
        _afDir = p.AtrialDirection;
        _afDir2 = (Rotation3.AboutY(rng.Uniform(0.6, 1.2)) * Rotation3.AboutX(rng.Uniform(-0.6, 0.6))).Apply(p.AtrialDirection);
        _flutterDir = p.Axis.Apply(new Vec3(rng.Normal(0.15, 0.1), 0.85, rng.Normal(-0.5, 0.15))).Unit;
        _flutterAmp = p.FlutterAmplitude;
        for (int j = 0; j < 3; j++)
        {
            _vfF[j] = rng.Uniform(4.2, 7.5);
            _vfDf[j] = rng.Uniform(0.3, 1.0);
            _vfFm[j] = rng.Uniform(0.15, 0.6);
            _vfPhase[j] = rng.Uniform(0, 2 * Math.PI);
            _vfAmp[j] = j == 0 ? 1 : rng.Uniform(0.3, 0.7);
            _vfAm[j] = rng.Uniform(0.1, 0.5);
            _vfDir[j] = Vec3.RandomUnit(rng);
        }
        _vfA0 = rng.Uniform(0.5, 1.1) * p.AmplitudeScale;
        _vfTau = rng.Uniform(60, 180);
    }

    /// <summary>Fibrillatory-wave dipole at absolute time t.</summary>
    public Vec3 Fibrillation(double t)
    {
        double th0 = 2 * Math.PI * _f0 * t + _df / _fm * Math.Sin(2 * Math.PI * _fm * t);
        double th1 = 2 * Math.PI * _f1 * t + _df / _fm * Math.Sin(2 * Math.PI * _fm * 0.7 * t + 1);
        double a = _amp * (1 + 0.3 * Math.Sin(2 * Math.PI * _fa * t));
        double w0 = Math.Sin(th0) + 0.35 * Math.Sin(2 * th0) + 0.15 * Math.Sin(3 * th0);
        double w1 = 0.5 * (Math.Sin(th1) + 0.3 * Math.Sin(2 * th1));
        return (a * w0) * _afDir + (a * w1) * _afDir2;
    }

    /// <summary>Flutter-wave dipole; <paramref name="cycles"/> = F waves elapsed since the flutter began (phase 0 = the sharp ascent).</summary>
    public Vec3 Flutter(double cycles)
    {
        double ph = 2 * Math.PI * cycles;
        // Fourier series of the sawtooth (π − φ)/2, Lanczos-smoothed against ringing, scaled to ±1.
        double s = 0;
        for (int h = 1; h <= 6; h++)
        {
            double x = Math.PI * h / 7;
            s += Math.Sin(x) / x * Math.Sin(h * ph) / h;
        }
        return (_flutterAmp * s * 2 / Math.PI) * _flutterDir;
    }

    /// <summary>VF dipole, <paramref name="sinceOnset"/> seconds into the episode (coarse VF becoming fine).</summary>
    public Vec3 VentricularFibrillation(double t, double sinceOnset)
    {
        double env = _vfA0 * (0.35 + 0.65 * Math.Exp(-sinceOnset / _vfTau));
        var d = new Vec3(0, 0, 0);
        for (int j = 0; j < 3; j++)
        {
            double th = 2 * Math.PI * _vfF[j] * t + _vfDf[j] / _vfFm[j] * Math.Sin(2 * Math.PI * _vfFm[j] * t + _vfPhase[j]) + _vfPhase[j];
            double a = _vfAmp[j] * (1 + _vfAm[j] * Math.Sin(2 * Math.PI * 0.23 * (j + 1) * t + _vfPhase[j]));
            d += (env * a * Math.Sin(th)) * _vfDir[j];
        }
        return d;
    }
}
