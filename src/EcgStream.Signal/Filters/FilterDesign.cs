using System.Numerics;

namespace EcgStream.Signal.Filters;

/// <summary>
/// Filter design in code: analog prototypes mapped to the z-plane by the bilinear transform
/// with prewarped edge frequencies, so that the digital magnitude at f equals the analog
/// magnitude at Ω = 2·fs·tan(π·f/fs) exactly (that identity is what the tests check).
/// </summary>
public static class FilterDesign
{
    /// <summary>
    /// Butterworth band-pass of prototype order <paramref name="order"/> (2·order poles, order sections):
    /// |H(Ω)|² = 1 / (1 + ((Ω² − Ω₀²)/(Ω·B))^(2·order)), Ω₀² = Ω₁Ω₂, B = Ω₂ − Ω₁, unit gain at the centre.
    /// </summary>
    public static SosDesign ButterworthBandPass(int order, double lowHz, double highHz, double sampleRate)
    {
        if (order is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(order), order, "Butterworth band-pass order must be 1..8");
        CheckRate(sampleRate);
        if (!(lowHz > 0 && lowHz < highHz && highHz < sampleRate / 2))
            throw new ArgumentOutOfRangeException(nameof(highHz), $"band edges must satisfy 0 < low ({lowHz}) < high ({highHz}) < fs/2 ({sampleRate / 2})");

        double k = 2 * sampleRate;
        double w1 = k * Math.Tan(Math.PI * lowHz / sampleRate), w2 = k * Math.Tan(Math.PI * highHz / sampleRate);
        double bw = w2 - w1, w0sq = w1 * w2;

        // Low-pass prototype poles on the unit circle's left half, mapped LP→BP (each gives two),
        // then to z by the bilinear transform.
        var poles = new List<Complex>(2 * order);
        for (int i = 1; i <= order; i++)
        {
            var p = Complex.FromPolarCoordinates(1, Math.PI * (2 * i + order - 1) / (2 * order));
            var pb = p * bw;
            var root = Complex.Sqrt(pb * pb - 4 * w0sq);
            foreach (var s in new[] { (pb + root) / 2, (pb - root) / 2 })
                poles.Add((k + s) / (k - s));
        }

        // Every section gets the zeros z = 1 (from s = 0) and z = −1 (from s = ∞): numerator 1 − z⁻².
        var sections = new List<Biquad>(order);
        var reals = new List<double>();
        foreach (var z in poles)
        {
            if (Math.Abs(z.Imaginary) < 1e-12) reals.Add(z.Real);
            else if (z.Imaginary > 0) sections.Add(new Biquad(1, 0, -1, -2 * z.Real, z.Real * z.Real + z.Imaginary * z.Imaginary));
        }
        reals.Sort();
        for (int i = 0; i + 1 < reals.Count; i += 2)
            sections.Add(new Biquad(1, 0, -1, -(reals[i] + reals[i + 1]), reals[i] * reals[i + 1]));
        if (sections.Count != order)
            throw new InvalidOperationException($"Butterworth band-pass design produced {sections.Count} sections for order {order}");

        // Unit gain at the digital centre frequency (the image of Ω₀).
        double f0 = sampleRate / Math.PI * Math.Atan(Math.Sqrt(w0sq) / k);
        var tmp = new SosDesign("tmp", sampleRate, sections);
        double g = 1 / tmp.Magnitude(f0);
        sections[0] = sections[0].Scale(g);
        return new SosDesign($"Butterworth band-pass order {order} {lowHz}-{highHz} Hz", sampleRate, sections);
    }

    /// <summary>
    /// Analog Butterworth band-pass magnitude evaluated at the prewarped image of <paramref name="frequencyHz"/>:
    /// the exact reference for <see cref="ButterworthBandPass"/>.
    /// </summary>
    public static double ButterworthBandPassMagnitude(int order, double lowHz, double highHz, double sampleRate, double frequencyHz)
    {
        double k = 2 * sampleRate;
        double w = k * Math.Tan(Math.PI * frequencyHz / sampleRate);
        double w1 = k * Math.Tan(Math.PI * lowHz / sampleRate), w2 = k * Math.Tan(Math.PI * highHz / sampleRate);
        double x = (w * w - w1 * w2) / (w * (w2 - w1));
        return 1 / Math.Sqrt(1 + Math.Pow(x * x, order));
    }

    /// <summary>
    /// Second-order notch at <paramref name="centerHz"/> with quality factor <paramref name="q"/>
    /// (−3 dB bandwidth ≈ f₀/Q): the bilinear image of (s² + Ω₀²)/(s² + (Ω₀/Q)s + Ω₀²), centre prewarped,
    /// so the zero lies exactly on the unit circle at f₀ and the gain far from it is 1.
    /// </summary>
    public static SosDesign Notch(double centerHz, double q, double sampleRate)
    {
        CheckRate(sampleRate);
        if (!(centerHz > 0 && centerHz < sampleRate / 2))
            throw new ArgumentOutOfRangeException(nameof(centerHz), centerHz, $"notch frequency must lie in (0, fs/2 = {sampleRate / 2})");
        if (!(q > 0 && double.IsFinite(q))) throw new ArgumentOutOfRangeException(nameof(q), q, "notch Q must be positive");
        double w0 = 2 * sampleRate * Math.Tan(Math.PI * centerHz / sampleRate);
        var s = Biquad.FromAnalog(1, 0, w0 * w0, 1, w0 / q, w0 * w0, sampleRate);
        return new SosDesign($"notch {centerHz} Hz Q {q}", sampleRate, [s]);
    }

    /// <summary>Analog notch magnitude at the prewarped image of <paramref name="frequencyHz"/> (reference for <see cref="Notch"/>).</summary>
    public static double NotchMagnitude(double centerHz, double q, double sampleRate, double frequencyHz)
    {
        double k = 2 * sampleRate;
        double w = k * Math.Tan(Math.PI * frequencyHz / sampleRate), w0 = k * Math.Tan(Math.PI * centerHz / sampleRate);
        double re = w0 * w0 - w * w, im = w * w0 / q;
        return Math.Abs(re) / Math.Sqrt(re * re + im * im);
    }

    private static void CheckRate(double sampleRate)
    {
        if (!(sampleRate > 0 && double.IsFinite(sampleRate)))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive and finite");
    }
}
