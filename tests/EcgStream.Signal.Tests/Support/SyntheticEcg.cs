namespace EcgStream.Signal.Tests.Support;

/// <summary>
/// Simple synthetic ECG for these tests: each beat a sum of Gaussian P, Q, R, S, T waves (per-lead
/// amplitudes), QT shortening with rate (Bazett-like √RR scaling), optional baseline wander, mains hum
/// and white noise. Exact R-peak times come with it. Deterministic per seed. (The product's full
/// generator lives in EcgStream.Synthetic; this one keeps the DSP tests self-contained.)
/// </summary>
internal static class SyntheticEcg
{
    internal sealed record Leads(double[] P, double[] Q, double[] R, double[] S, double[] T);

    /// <summary>Lead II-like and V1-like morphologies.</summary>
    internal static readonly Leads TwoLeads = new(
        P: [0.15, 0.08], Q: [-0.10, 0.0], R: [1.2, 0.35], S: [-0.25, -0.9], T: [0.35, 0.15]);

    internal sealed record Signal(float[][] Channels, double SampleRate, double[] RPeakSeconds);

    /// <summary>Regular rhythm with a little heart-rate variability.</summary>
    internal static double[] RegularRr(int beats, double bpm, double jitter, int seed)
    {
        var rng = new Random(seed);
        var rr = new double[beats];
        for (int i = 0; i < beats; i++) rr[i] = 60 / bpm * (1 + jitter * (2 * rng.NextDouble() - 1));
        return rr;
    }

    /// <summary>AF-like RR: independent, spread ±<paramref name="spread"/> around the mean.</summary>
    internal static double[] IrregularRr(int beats, double bpm, double spread, int seed)
    {
        var rng = new Random(seed);
        var rr = new double[beats];
        for (int i = 0; i < beats; i++) rr[i] = 60 / bpm * (1 + spread * (2 * rng.NextDouble() - 1));
        return rr;
    }

    internal static Signal Generate(double[] rr, double sampleRate, int seed, double noiseMv = 0.02,
        double wanderMv = 0.2, double mainsMv = 0, double mainsHz = 50, double leadScale = 1, double startSeconds = 0.8, double offsetMv = 0)
    {
        var morph = TwoLeads;
        int leads = morph.R.Length;
        double duration = startSeconds + rr.Sum() + 1.0;
        int n = (int)(duration * sampleRate);
        var ch = new float[leads][];
        for (int l = 0; l < leads; l++) ch[l] = new float[n];
        var peaks = new double[rr.Length];
        double t = startSeconds;
        for (int b = 0; b < rr.Length; b++)
        {
            peaks[b] = t;
            double q = Math.Sqrt(Math.Min(rr[b], 1.2));
            for (int l = 0; l < leads; l++)
            {
                AddWave(ch[l], sampleRate, t - 0.16 * q, 0.025, morph.P[l] * leadScale);
                AddWave(ch[l], sampleRate, t - 0.03, 0.010, morph.Q[l] * leadScale);
                AddWave(ch[l], sampleRate, t, 0.011, morph.R[l] * leadScale);
                AddWave(ch[l], sampleRate, t + 0.03, 0.012, morph.S[l] * leadScale);
                AddWave(ch[l], sampleRate, t + 0.28 * q, 0.05 * q, morph.T[l] * leadScale);
            }
            t += rr[b];
        }
        var rng = new Random(seed);
        for (int l = 0; l < leads; l++)
        {
            double phase = rng.NextDouble() * 2 * Math.PI;
            for (int i = 0; i < n; i++)
            {
                double s = i / sampleRate;
                double v = wanderMv * Math.Sin(2 * Math.PI * 0.25 * s + phase) + mainsMv * Math.Sin(2 * Math.PI * mainsHz * s)
                           + noiseMv * Gaussian(rng) + offsetMv;
                ch[l][i] += (float)v;
            }
        }
        return new Signal(ch, sampleRate, peaks);
    }

    private static void AddWave(float[] x, double fs, double centre, double width, double amplitude)
    {
        if (amplitude == 0) return;
        int from = Math.Max(0, (int)((centre - 5 * width) * fs)), to = Math.Min(x.Length - 1, (int)((centre + 5 * width) * fs));
        for (int i = from; i <= to; i++)
        {
            double d = (i / fs - centre) / width;
            x[i] += (float)(amplitude * Math.Exp(-0.5 * d * d));
        }
    }

    internal static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Planar copy of channels [from, from+count) for a SampleBlock.</summary>
    internal static float[] Planar(float[][] channels, int from, int count)
    {
        var buf = new float[channels.Length * count];
        for (int c = 0; c < channels.Length; c++) channels[c].AsSpan(from, count).CopyTo(buf.AsSpan(c * count, count));
        return buf;
    }
}
