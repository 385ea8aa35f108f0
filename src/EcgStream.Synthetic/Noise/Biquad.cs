namespace EcgStream.Synthetic.Noise;

/// <summary>
/// A second-order IIR section (direct form I), designed with the bilinear transform as in
/// R. Bristow-Johnson's "Audio EQ Cookbook" (Butterworth Q = 1/√2). Used only to colour noise.
/// </summary>
internal struct Biquad
{
    private readonly double _b0, _b1, _b2, _a1, _a2;
    private double _x1, _x2, _y1, _y2;

    private Biquad(double b0, double b1, double b2, double a0, double a1, double a2)
    {
        _b0 = b0 / a0; _b1 = b1 / a0; _b2 = b2 / a0; _a1 = a1 / a0; _a2 = a2 / a0;
        _x1 = _x2 = _y1 = _y2 = 0;
    }

    public static Biquad LowPass(double fc, double fs)
    {
        double w = 2 * Math.PI * fc / fs, cw = Math.Cos(w), alpha = Math.Sin(w) / (2 * Math.Sqrt(0.5));
        return new Biquad((1 - cw) / 2, 1 - cw, (1 - cw) / 2, 1 + alpha, -2 * cw, 1 - alpha);
    }

    public static Biquad HighPass(double fc, double fs)
    {
        double w = 2 * Math.PI * fc / fs, cw = Math.Cos(w), alpha = Math.Sin(w) / (2 * Math.Sqrt(0.5));
        return new Biquad((1 + cw) / 2, -(1 + cw), (1 + cw) / 2, 1 + alpha, -2 * cw, 1 - alpha);
    }

    public double Process(double x)
    {
        double y = _b0 * x + _b1 * _x1 + _b2 * _x2 - _a1 * _y1 - _a2 * _y2;
        _x2 = _x1; _x1 = x; _y2 = _y1; _y1 = y;
        return y;
    }

    /// <summary>
    /// Standard deviation of the output of <paramref name="chain"/> (fresh copies) driven by unit
    /// white noise: √Σh[n]², the impulse response summed over <paramref name="samples"/> samples.
    /// </summary>
    public static double WhiteNoiseGain(ReadOnlySpan<Biquad> chain, int samples)
    {
        Span<Biquad> f = stackalloc Biquad[chain.Length];
        chain.CopyTo(f);
        double energy = 0;
        for (int n = 0; n < samples; n++)
        {
            double v = n == 0 ? 1 : 0;
            for (int i = 0; i < f.Length; i++) v = f[i].Process(v);
            energy += v * v;
        }
        return Math.Sqrt(energy);
    }
}
