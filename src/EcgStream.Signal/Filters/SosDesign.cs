using System.Numerics;

namespace EcgStream.Signal.Filters;

/// <summary>
/// A causal IIR filter as a cascade of second-order sections (coefficients only; the state
/// lives in <see cref="SosFilter"/>, one per stream). Immutable, shareable between streams.
/// </summary>
public sealed class SosDesign
{
    private readonly Biquad[] _sections;

    public SosDesign(string description, double sampleRate, IReadOnlyList<Biquad> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        if (sections.Count == 0) throw new ArgumentException("a filter needs at least one section", nameof(sections));
        foreach (var s in sections)
        {
            // Poles inside the unit circle ⇔ |a2| < 1 and |a1| < 1 + a2 (stability triangle).
            if (!(Math.Abs(s.A2) < 1 && Math.Abs(s.A1) < 1 + s.A2))
                throw new ArgumentException($"{description}: section {s} is unstable (poles on or outside the unit circle)", nameof(sections));
        }
        Description = description;
        SampleRate = sampleRate;
        _sections = [.. sections];
    }

    public string Description { get; }
    public double SampleRate { get; }
    public ReadOnlySpan<Biquad> Sections => _sections;

    /// <summary>Complex response of the whole cascade at <paramref name="frequencyHz"/>.</summary>
    public Complex Response(double frequencyHz)
    {
        double w = 2 * Math.PI * frequencyHz / SampleRate;
        Complex h = Complex.One;
        foreach (var s in _sections) h *= s.Response(w);
        return h;
    }

    /// <summary>|H(f)|.</summary>
    public double Magnitude(double frequencyHz) => Response(frequencyHz).Magnitude;

    /// <summary>Group delay in samples at <paramref name="frequencyHz"/>, by a central difference of the unwrapped phase.</summary>
    public double GroupDelaySamples(double frequencyHz)
    {
        double df = Math.Max(1e-4, frequencyHz * 1e-4);
        double w1 = 2 * Math.PI * (frequencyHz - df) / SampleRate, w2 = 2 * Math.PI * (frequencyHz + df) / SampleRate;
        double dphi = (Response(frequencyHz + df) / Response(frequencyHz - df)).Phase;
        return -dphi / (w2 - w1);
    }

    public override string ToString() => $"{Description} @ {SampleRate} Hz, {_sections.Length} sections";
}
