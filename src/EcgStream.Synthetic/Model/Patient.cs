namespace EcgStream.Synthetic.Model;

/// <summary>
/// One synthetic patient, drawn from a seed: morphology (every Gaussian's amplitude, width and
/// timing jittered), electrical axis (a rotation of the whole dipole), overall amplitude, lead
/// placement (per-patient Dower rows), QT/RR law, PR interval, heart-rate variability, respiration,
/// ectopic foci, pacing, and the atrial-arrhythmia parameters (f-wave and flutter rate).
/// </summary>
internal sealed class Patient
{
    // Nominal dipole (mV) of a normal beat, shaped after textbook normal VCG loops: septal Q
    // rightward-anterior, main R leftward-inferior-slightly-posterior, terminal S posterior-superior,
    // T leftward-inferior-anterior, P rightward-inferior-anterior (right atrium) then leftward-posterior
    // (left atrium). Offsets relative to R (atrial ones relative to the P centre).
    private static readonly DipoleComponent[] NominalNormal =
    [
        new(-0.012, 0.018, new Vec3(0.04, 0.09, -0.05), Timing.Atrial),
        new(+0.014, 0.018, new Vec3(0.09, 0.05, 0.05), Timing.Atrial),
        new(-0.022, 0.007, new Vec3(-0.10, -0.04, -0.25)),
        new(0.000, 0.010, new Vec3(1.20, 0.65, 0.45)),
        new(+0.024, 0.009, new Vec3(-0.05, -0.25, 1.00)),
        new(+0.200, 0.050, new Vec3(0.13, 0.10, -0.12), Timing.Repolarization),
        new(+0.260, 0.032, new Vec3(0.15, 0.12, -0.13), Timing.Repolarization),
    ];

    public double SampleRate { get; }
    public LeadProjection Projection { get; }
    /// <summary>Sinus beat with P wave; <see cref="Conducted"/> the same without P (AF, flutter).</summary>
    public BeatTemplate Normal { get; }
    public BeatTemplate Conducted { get; }
    /// <summary>Narrow QRS with a retrograde P after it (AV-nodal re-entry).</summary>
    public BeatTemplate Svt { get; }
    /// <summary>A P wave alone (blocked or dissociated atrial beats), centred on the event time.</summary>
    public BeatTemplate PWave { get; }
    public BeatTemplate[] PvcFoci { get; }
    /// <summary>
    /// A premature atrial beat: the normal QRS and T after an ectopic P wave (another atrial focus, so another P axis).
    /// </summary>
    public BeatTemplate Pac { get; }
    /// <summary>The PAC's ectopic P wave alone (a blocked PAC), centred on the event time.</summary>
    public BeatTemplate PacPWave { get; }
    /// <summary>Extra PR of a premature atrial beat over the sinus PR at the same rate (the AV node is less recovered), seconds.</summary>
    public double PacPrExtra { get; }
    public BeatTemplate Paced { get; }

    /// <summary>The rotation applied to the nominal heart (axis), for ectopic templates drawn later.</summary>
    public Rotation3 Axis { get; }
    public double AmplitudeScale { get; }

    /// <summary>Resting sinus rate, bpm.</summary>
    public double RestingRate { get; }
    public double PrSeconds { get; }
    /// <summary>QT(RR) = QtFactor · RR^QtExponent relative to the nominal beat (QT ≈ 0.38 s at RR 1 s).</summary>
    public double QtFactor { get; }
    public double QtExponent { get; }
    public double RespirationHz { get; }
    /// <summary>Standard deviation of sinus RR relative to its mean (heart-rate variability).</summary>
    public double HrvFraction { get; }
    public double LfHfRatio { get; }
    /// <summary>Fibrillatory wave dominant frequency, Hz (4–9 Hz) and amplitude, mV.</summary>
    public double FibrillationHz { get; }
    public double FibrillationAmplitude { get; }
    public Vec3 AtrialDirection { get; }
    /// <summary>Flutter wave rate, per minute (250–350).</summary>
    public double FlutterRate { get; }
    public double FlutterAmplitude { get; }
    /// <summary>RR coefficient of variation in AF.</summary>
    public double AfRrCv { get; }

    public Patient(long seed, double sampleRate)
    {
        SampleRate = sampleRate;
        var rng = Rng.Derive(seed, 1);
        Projection = new LeadProjection(rng);

        // Electrical axis: frontal-plane turn (normal range −30°…+90° around a nominal ~+45°),
        // plus small tilts out of the frontal plane.
        Axis = Rotation3.AboutZ(rng.NormalClamped(0, 0.35, -1.2, 0.9))
             * Rotation3.AboutY(rng.Normal(0, 0.25))
             * Rotation3.AboutX(rng.Normal(0, 0.15));
        AmplitudeScale = Math.Exp(rng.NormalClamped(0, 0.2, -0.5, 0.5));

        double qrsWidth = Math.Exp(rng.NormalClamped(0, 0.10, -0.2, 0.25));
        double pWidth = Math.Exp(rng.NormalClamped(0, 0.12, -0.3, 0.3));
        var comps = new DipoleComponent[NominalNormal.Length];
        for (int i = 0; i < comps.Length; i++)
        {
            var c = NominalNormal[i];
            var a = c.Amplitude;
            // Each axis of each Gaussian jitters on its own: this changes the loop, not only its size.
            double spread = c.Timing == Timing.Fixed ? 0.15 : 0.25;
            var jittered = new Vec3(a.X + rng.Normal(0, spread) * Math.Abs(a.X) + rng.Normal(0, 0.02),
                                    a.Y + rng.Normal(0, spread) * Math.Abs(a.Y) + rng.Normal(0, 0.02),
                                    a.Z + rng.Normal(0, spread) * Math.Abs(a.Z) + rng.Normal(0, 0.02));
            double widthScale = c.Timing switch { Timing.Fixed => qrsWidth, Timing.Atrial => pWidth, _ => Math.Exp(rng.Normal(0, 0.1)) };
            comps[i] = c with
            {
                Amplitude = jittered,
                Sigma = c.Sigma * widthScale * Math.Exp(rng.Normal(0, 0.05)),
                Offset = c.Offset * (c.Timing == Timing.Atrial ? pWidth : c.Timing == Timing.Fixed ? qrsWidth : Math.Exp(rng.Normal(0, 0.06))),
            };
        }
        Normal = new BeatTemplate("N", comps).Rotated(Axis, AmplitudeScale);
        Conducted = Normal.Without(Timing.Atrial);
        PWave = new BeatTemplate("P", Array.FindAll(Normal.Components, c => c.Timing == Timing.Atrial));
        // Retrograde P: inferior leads negative, just after the QRS (RP ≈ 70–100 ms); given Fixed
        // timing because it is tied to the QRS, not to a sinus P centre.
        Svt = Conducted.With(new DipoleComponent(rng.Uniform(0.07, 0.10), 0.018,
            AmplitudeScale * Axis.Apply(new Vec3(-0.03, -0.10, 0.03))));

        PvcFoci = [DrawEctopic(rng, "V1"), DrawEctopic(rng, "V2")];
        Paced = DrawPaced(rng);

        RestingRate = rng.Uniform(62, 88);
        PrSeconds = rng.NormalClamped(0.155, 0.018, 0.12, 0.20);
        QtFactor = Math.Exp(rng.NormalClamped(0, 0.05, -0.1, 0.15));
        QtExponent = rng.Uniform(0.28, 0.45);
        RespirationHz = rng.Uniform(0.18, 0.33);
        HrvFraction = rng.Uniform(0.015, 0.05);
        LfHfRatio = rng.Uniform(0.5, 2.0);
        FibrillationHz = rng.Uniform(4.5, 8.5);
        FibrillationAmplitude = rng.Uniform(0.03, 0.12) * AmplitudeScale;
        // Atrial activity is seen best in V1 and the inferior leads: mostly anterior, inferior.
        AtrialDirection = Axis.Apply(new Vec3(rng.Normal(-0.2, 0.2), rng.Normal(0.6, 0.2), rng.Normal(-0.8, 0.2))).Unit;
        FlutterRate = rng.Uniform(250, 350);
        FlutterAmplitude = rng.Uniform(0.10, 0.25) * AmplitudeScale;
        AfRrCv = rng.Uniform(0.16, 0.32);

        // Drawn last, so every draw above (and every patient drawn before PACs existed) is unchanged.
        // The ectopic focus turns the P vector by 40–150° in the frontal plane (a low atrial focus reads negative in
        // the inferior leads) and scales it by 0.6–1.2, the same shape in another direction.
        var turn = Rotation3.AboutZ(rng.Uniform(0.7, 2.6) * (rng.Chance(0.5) ? 1 : -1));
        double scale = rng.Uniform(0.6, 1.2);
        PacPWave = new BeatTemplate("A", Array.ConvertAll(PWave.Components, c => c with { Amplitude = scale * turn.Apply(c.Amplitude) }));
        Pac = new BeatTemplate("A", [.. Conducted.Components, .. PacPWave.Components]);
        PacPrExtra = rng.Uniform(0.01, 0.04);
    }

    /// <summary>PR interval at a given RR: shortens a little as the rate rises.</summary>
    public double PrAt(double rr) => PrSeconds * (0.75 + 0.25 * Math.Clamp(rr, 0.3, 1.6));

    /// <summary>Scale of repolarisation timing at a given RR (the QT/HR law).</summary>
    public double QtScaleAt(double rr) => QtFactor * Math.Pow(Math.Clamp(rr, 0.25, 2.0), QtExponent);

    /// <summary>
    /// A ventricular ectopic morphology: wide (QRS ≈ 140–180 ms), bizarre (the depolarisation vector
    /// turns through a large angle), no P, T discordant to the QRS. The focus is either right
    /// ventricular (LBBB-like: leftward, posterior) or left ventricular (RBBB-like: anterior).
    /// </summary>
    public BeatTemplate DrawEctopic(Rng rng, string name)
    {
        var baseDir = rng.Chance(0.5) ? new Vec3(0.7, rng.Uniform(-0.6, 0.6), 0.6) : new Vec3(-0.4, rng.Uniform(-0.6, 0.6), -0.7);
        var turn = Rotation3.AboutZ(rng.Normal(0, 0.4)) * Rotation3.AboutY(rng.Normal(0, 0.4));
        var d = turn.Apply(baseDir).Unit;
        var d1 = (Rotation3.AboutZ(rng.Uniform(0.4, 0.9)) * Rotation3.AboutX(rng.Normal(0, 0.4))).Apply(d);
        var d3 = (Rotation3.AboutY(rng.Uniform(-0.9, 0.9))).Apply(d);
        double a = rng.Uniform(1.0, 2.0);
        double w = rng.Uniform(0.9, 1.15);
        var comps = new DipoleComponent[]
        {
            new(-0.028 * w, 0.020 * w, 0.55 * a * d1),
            new(0.000, 0.026 * w, a * d),
            new(+0.048 * w, 0.020 * w, -0.35 * a * d3),
            new(+0.300, 0.070, -0.32 * a * d, Timing.Repolarization),
        };
        return new BeatTemplate(name, comps).Rotated(Axis, AmplitudeScale);
    }

    /// <summary>
    /// Ventricular pacing (right-ventricular apex): a pacing spike about 40 ms before a wide,
    /// LBBB-like, superiorly directed QRS, and a discordant T. The spike is a Gaussian at least one
    /// sample wide so it cannot fall between samples.
    /// </summary>
    private BeatTemplate DrawPaced(Rng rng)
    {
        double spikeSigma = Math.Max(0.0005, 0.6 / SampleRate);
        var spikeDir = new Vec3(rng.Normal(0.4, 0.2), rng.Normal(-1, 0.2), rng.Normal(0.3, 0.2)).Unit;
        double spikeAmp = rng.Uniform(1.5, 4.0);
        var d = (Rotation3.AboutZ(rng.Normal(0, 0.25)) * Rotation3.AboutY(rng.Normal(0, 0.25))).Apply(new Vec3(0.7, -0.55, 0.7)).Unit;
        double a = rng.Uniform(0.8, 1.5);
        var comps = new DipoleComponent[]
        {
            new(-0.040, spikeSigma, spikeAmp * spikeDir),
            new(-0.012, 0.024, 0.6 * a * Rotation3.AboutZ(0.5).Apply(d)),
            new(+0.020, 0.028, a * d),
            new(+0.060, 0.022, 0.35 * a * Rotation3.AboutY(0.8).Apply(d)),
            new(+0.310, 0.075, -0.30 * a * d, Timing.Repolarization),
        };
        // The spike comes from the pacing electrode, not the heart: its direction is not turned by
        // the heart's axis; the QRS is.
        var heart = new BeatTemplate("/", comps[1..]).Rotated(Axis, AmplitudeScale);
        return new BeatTemplate("/", [comps[0], .. heart.Components]);
    }
}
