namespace EcgStream.Synthetic.Model;

/// <summary>
/// Projects the cardiac dipole (Frank X, Y, Z) onto the eight independent leads I, II, V1–V6 with
/// the inverse Dower transform, then derives III, aVR, aVL, aVF from I and II exactly as an
/// electrocardiograph does (Einthoven and Goldberger), so the limb-lead identities hold by
/// construction.
/// <para>
/// Coefficients: G. E. Dower, H. B. Machado, J. A. Osborne, "On deriving the electrocardiogram from
/// vectorcardiographic leads", Clin. Cardiol. 3:87–95 (1980), the matrix used to synthesise the
/// 12-lead ECG from Frank leads (rows I, II, V1…V6; columns X, Y, Z). Each synthetic patient gets
/// its own small perturbation of the rows (electrode placement, torso shape), see
/// <see cref="Patient"/>.
/// </para>
/// </summary>
internal sealed class LeadProjection
{
    /// <summary>Number of independent channels: I, II, V1…V6.</summary>
    public const int Channels = 8;

    // Channel order of the rows below: I, II, V1, V2, V3, V4, V5, V6.
    private static readonly double[,] Dower =
    {
        { 0.632, -0.235,  0.059 },
        { 0.235,  1.066, -0.132 },
        { -0.515, 0.157, -0.917 },
        { 0.044,  0.164, -1.387 },
        { 0.882,  0.098, -1.277 },
        { 1.213,  0.127, -0.601 },
        { 1.125,  0.127, -0.086 },
        { 0.831,  0.076,  0.230 },
    };

    private readonly double[] _m = new double[Channels * 3];

    public LeadProjection() : this(null) { }

    /// <summary>The Dower matrix with each row scaled by a gain and turned by small angles drawn from <paramref name="rng"/> (null: the plain matrix).</summary>
    public LeadProjection(Rng? rng)
    {
        for (int c = 0; c < Channels; c++)
        {
            var row = new Vec3(Dower[c, 0], Dower[c, 1], Dower[c, 2]);
            if (rng is not null)
            {
                // Chest electrodes are placed less reproducibly than limb electrodes: more jitter.
                bool chest = c >= 2;
                double gain = Math.Exp(rng.Normal(0, chest ? 0.12 : 0.05));
                double tilt = rng.Normal(0, chest ? 0.12 : 0.04);
                double turn = rng.Normal(0, chest ? 0.12 : 0.04);
                row = gain * (Rotation3.AboutY(turn) * Rotation3.AboutX(tilt)).Apply(row);
            }
            _m[c * 3] = row.X; _m[c * 3 + 1] = row.Y; _m[c * 3 + 2] = row.Z;
        }
    }

    /// <summary>Lead vector of independent channel <paramref name="channel"/> (0 = I, 1 = II, 2… = V1…).</summary>
    public Vec3 Row(int channel) => new(_m[channel * 3], _m[channel * 3 + 1], _m[channel * 3 + 2]);

    /// <summary>channels[c][i] = row c · (x[i], y[i], z[i]) for the first <paramref name="n"/> samples.</summary>
    public void Project(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, double[][] channels, int n)
    {
        for (int c = 0; c < Channels; c++)
        {
            double a = _m[c * 3], b = _m[c * 3 + 1], d = _m[c * 3 + 2];
            var dst = channels[c].AsSpan(0, n);
            for (int i = 0; i < n; i++) dst[i] = a * x[i] + b * y[i] + d * z[i];
        }
    }
}
