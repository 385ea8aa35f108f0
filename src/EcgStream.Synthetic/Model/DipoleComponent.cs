namespace EcgStream.Synthetic.Model;

/// <summary>How a component's timing follows the heart rate.</summary>
internal enum Timing : byte
{
    /// <summary>Depolarisation of the ventricles: offset and width independent of rate.</summary>
    Fixed,
    /// <summary>Atrial depolarisation: offset relative to the P-wave centre the beat carries.</summary>
    Atrial,
    /// <summary>Repolarisation (T wave): offset and width scale with the patient's QT(RR) law.</summary>
    Repolarization,
}

/// <summary>
/// One Gaussian of the dipole model: d(t) += A · exp(−(t − t₀)² / 2σ²) on all three axes at once.
/// This is ECGSYN's phase-domain Gaussian (McSharry et al. 2003, eq. 3) evaluated in closed form in
/// time, with a vector amplitude as in Sameni et al. 2007 (one Gaussian per axis, shared centre and
/// width here; several components with different directions make the vector loops).
/// </summary>
/// <param name="Offset">Centre relative to the beat's fiducial time (R), seconds, at RR = 1 s.</param>
/// <param name="Sigma">Width, seconds.</param>
/// <param name="Amplitude">Dipole vector, mV.</param>
internal readonly record struct DipoleComponent(double Offset, double Sigma, Vec3 Amplitude, Timing Timing = Timing.Fixed);

/// <summary>The Gaussians of one beat morphology (a normal beat, a PVC focus, a paced beat…).</summary>
internal sealed class BeatTemplate(string name, DipoleComponent[] components)
{
    public string Name { get; } = name;
    public DipoleComponent[] Components { get; } = components;

    public BeatTemplate Rotated(Rotation3 r, double scale) =>
        new(Name, Array.ConvertAll(Components, c => c with { Amplitude = scale * r.Apply(c.Amplitude) }));

    public BeatTemplate Without(Timing timing) =>
        new(Name, Array.FindAll(Components, c => c.Timing != timing));

    public BeatTemplate With(params DipoleComponent[] more) => new(Name, [.. Components, .. more]);
}
