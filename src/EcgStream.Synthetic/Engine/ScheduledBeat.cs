using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic.Engine;

/// <summary>
/// One scheduled event (a beat, or a P wave alone) with everything needed to render it: template,
/// timing, the rate-dependent scalings and the time span its Gaussians cover.
/// </summary>
internal readonly struct ScheduledBeat
{
    public ScheduledBeat(double time, int template, BeatTemplate tpl, double qtScale, double atrialShift, double amplitude)
    {
        Time = time;
        Template = template;
        QtScale = qtScale;
        AtrialShift = atrialShift;
        Amplitude = amplitude;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var c in tpl.Components)
        {
            var (centre, sigma) = Place(c);
            lo = Math.Min(lo, centre - Cutoff * sigma);
            hi = Math.Max(hi, centre + Cutoff * sigma);
        }
        SupportStart = lo;
        SupportEnd = hi;
    }

    /// <summary>Gaussians are evaluated within ±5σ: the truncation step is e^−12.5 ≈ 4·10⁻⁶ of the amplitude.</summary>
    public const double Cutoff = 5;

    /// <summary>Fiducial time (R peak; P centre for a P wave alone), seconds.</summary>
    public double Time { get; }
    public int Template { get; }
    public double QtScale { get; }
    /// <summary>Offset of the P-wave centre from <see cref="Time"/> (negative for sinus beats).</summary>
    public double AtrialShift { get; }
    public double Amplitude { get; }
    public double SupportStart { get; }
    public double SupportEnd { get; }

    /// <summary>Absolute centre and width of a component in this beat.</summary>
    public (double Centre, double Sigma) Place(in DipoleComponent c) => c.Timing switch
    {
        Timing.Atrial => (Time + AtrialShift + c.Offset, c.Sigma),
        Timing.Repolarization => (Time + c.Offset * QtScale, c.Sigma * QtScale),
        _ => (Time + c.Offset, c.Sigma),
    };
}
