using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic.Engine;

/// <summary>Adds a beat's Gaussians to the dipole buffers of one chunk of samples.</summary>
internal static class BeatRenderer
{
    /// <param name="n0">Stream index of the chunk's first sample.</param>
    public static void Render(in ScheduledBeat beat, BeatTemplate tpl, long n0, int n, double fs, Span<double> x, Span<double> y, Span<double> z)
    {
        foreach (var c in tpl.Components)
        {
            var (centre, sigma) = beat.Place(c);
            long k0 = Math.Max(n0, (long)Math.Ceiling((centre - ScheduledBeat.Cutoff * sigma) * fs));
            long k1 = Math.Min(n0 + n - 1, (long)Math.Floor((centre + ScheduledBeat.Cutoff * sigma) * fs));
            if (k1 < k0) continue;
            double ax = beat.Amplitude * c.Amplitude.X, ay = beat.Amplitude * c.Amplitude.Y, az = beat.Amplitude * c.Amplitude.Z;
            double inv = -0.5 / (sigma * sigma);
            for (long k = k0; k <= k1; k++)
            {
                double dt = k / fs - centre;
                double g = Math.Exp(dt * dt * inv);
                int i = (int)(k - n0);
                x[i] += ax * g;
                y[i] += ay * g;
                z[i] += az * g;
            }
        }
    }
}
