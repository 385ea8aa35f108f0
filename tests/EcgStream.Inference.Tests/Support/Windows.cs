using EcgStream.Core.Models;

namespace EcgStream.Inference.Tests.Support;

/// <summary>Synthetic contract-v1 windows: narrow QRS-like spikes on every lead at given beat times.</summary>
internal static class Windows
{
    public const int Length = ModelContract.WindowSamples;
    public const int Values = ModelContract.LeadCount * Length;

    /// <summary>A regular rhythm at <paramref name="bpm"/> (phase from the seed), lead gains varied, light noise.</summary>
    public static float[] Regular(double bpm, int seed)
    {
        var rng = new Random(seed);
        double rr = 60.0 / bpm, t = rng.NextDouble() * rr;
        var beats = new List<double>();
        for (; t < Length / 250.0; t += rr) beats.Add(t);
        return Spikes(beats, rng);
    }

    /// <summary>An irregular rhythm: RR intervals uniform in [0.35 s, 1.1 s].</summary>
    public static float[] Irregular(int seed)
    {
        var rng = new Random(seed);
        var beats = new List<double>();
        for (double t = rng.NextDouble() * 0.5; t < Length / 250.0; t += 0.35 + rng.NextDouble() * 0.75) beats.Add(t);
        return Spikes(beats, rng);
    }

    private static float[] Spikes(List<double> beats, Random rng)
    {
        var data = new float[Values];
        for (int lead = 0; lead < ModelContract.LeadCount; lead++)
        {
            double gain = 0.5 + rng.NextDouble() * 1.5;
            for (int i = 0; i < Length; i++)
            {
                double t = i / 250.0, v = 0;
                foreach (var b in beats)
                {
                    double d = (t - b) / 0.012;
                    if (Math.Abs(d) < 6) v += Math.Exp(-0.5 * d * d);
                }
                data[lead * Length + i] = (float)(gain * v + 0.02 * (rng.NextDouble() - 0.5));
            }
        }
        return data;
    }
}
