using System.Numerics;

namespace EcgStream.Signal.Filters;

/// <summary>
/// One second-order section, normalised so that a0 = 1:
/// H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²).
/// </summary>
public readonly record struct Biquad(double B0, double B1, double B2, double A1, double A2)
{
    /// <summary>The section's complex response at normalised angular frequency ω (radians per sample).</summary>
    public Complex Response(double omega)
    {
        var z1 = Complex.FromPolarCoordinates(1, -omega);
        var z2 = z1 * z1;
        return (B0 + B1 * z1 + B2 * z2) / (1 + A1 * z1 + A2 * z2);
    }

    /// <summary>Scales the numerator (the section's gain).</summary>
    public Biquad Scale(double gain) => this with { B0 = B0 * gain, B1 = B1 * gain, B2 = B2 * gain };

    /// <summary>
    /// Bilinear transform (s = 2·fs·(1 − z⁻¹)/(1 + z⁻¹)) of the analog section
    /// (n2 s² + n1 s + n0) / (d2 s² + d1 s + d0). Frequencies must already be prewarped.
    /// </summary>
    public static Biquad FromAnalog(double n2, double n1, double n0, double d2, double d1, double d0, double sampleRate)
    {
        double k = 2 * sampleRate, k2 = k * k;
        double b0 = n2 * k2 + n1 * k + n0, b1 = 2 * (n0 - n2 * k2), b2 = n2 * k2 - n1 * k + n0;
        double a0 = d2 * k2 + d1 * k + d0, a1 = 2 * (d0 - d2 * k2), a2 = d2 * k2 - d1 * k + d0;
        return new Biquad(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0);
    }
}
