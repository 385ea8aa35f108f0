using EcgStream.Core.Leads;

namespace EcgStream.Synthetic.Tests;

/// <summary>Independent measurements on generated records (what a reviewer would compute by hand).</summary>
internal static class Measure
{
    public static Scenario Clean(int seed, params ScenarioSegment[] segments) =>
        new() { Seed = seed, Segments = segments };

    /// <summary>Spatial velocity: √Σ_leads (x[n] − x[n−1])² over I, II, V1–V6.</summary>
    public static double[] SpatialVelocity(SimulatedRecord r)
    {
        var leads = new[] { Lead.I, Lead.II, Lead.V1, Lead.V2, Lead.V3, Lead.V4, Lead.V5, Lead.V6 };
        var v = new double[r.Length];
        foreach (var l in leads)
        {
            var x = r.Lead(l);
            for (int n = 1; n < x.Length; n++) { double d = x[n] - x[n - 1]; v[n] += d * d; }
        }
        for (int n = 0; n < v.Length; n++) v[n] = Math.Sqrt(v[n]);
        return v;
    }

    /// <summary>QRS duration (ms): span around the fiducial where spatial velocity exceeds 10 % of its local peak.</summary>
    public static double QrsWidthMs(double[] v, long fiducial, double fs)
    {
        int w = (int)(0.15 * fs);
        long a = Math.Max(1, fiducial - w), b = Math.Min(v.Length - 1, fiducial + w);
        double peak = 0;
        for (long n = a; n <= b; n++) peak = Math.Max(peak, v[n]);
        long first = -1, last = -1;
        for (long n = a; n <= b; n++)
            if (v[n] > 0.1 * peak) { if (first < 0) first = n; last = n; }
        return (last - first) * 1000.0 / fs;
    }

    public static double Median(IEnumerable<double> xs)
    {
        var a = xs.OrderBy(x => x).ToArray();
        return a.Length == 0 ? double.NaN : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    public static (double Mean, double Cv) RrStats(IReadOnlyList<long> beats, double fs, double from, double to)
    {
        var t = beats.Select(b => b / fs).Where(x => x >= from && x < to).ToArray();
        var rr = t.Zip(t.Skip(1), (a, b) => b - a).ToArray();
        double mean = rr.Average();
        double sd = Math.Sqrt(rr.Sum(x => (x - mean) * (x - mean)) / (rr.Length - 1));
        return (mean, sd / mean);
    }

    /// <summary>Power at frequency f (Goertzel) of x[a..b).</summary>
    public static double PowerAt(ReadOnlySpan<double> x, double f, double fs)
    {
        double w = 2 * Math.PI * f / fs, c = 2 * Math.Cos(w), s1 = 0, s2 = 0;
        foreach (var v in x) { double s0 = v + c * s1 - s2; s2 = s1; s1 = s0; }
        return s1 * s1 + s2 * s2 - c * s1 * s2;
    }

    /// <summary>Frequency of the largest spectral peak in [lo, hi] Hz, summed over <paramref name="signals"/>.</summary>
    public static double DominantFrequency(IReadOnlyList<double[]> signals, double fs, double lo, double hi)
    {
        double best = 0, bestF = double.NaN;
        for (double f = lo; f <= hi; f += 0.02)
        {
            double p = 0;
            foreach (var s in signals) p += PowerAt(s, f, fs);
            if (p > best) { best = p; bestF = f; }
        }
        return bestF;
    }

    /// <summary>Lead samples [from, to) seconds with windows (−pre … +post s around each beat, QRST by default) zeroed and the mean removed.</summary>
    public static double[] Blanked(SimulatedRecord r, Lead lead, double from, double to, double pre = 0.1, double post = 0.45)
    {
        double fs = r.SampleRate;
        var x = r.Lead(lead);
        int a = (int)(from * fs), b = (int)(to * fs);
        var y = new double[b - a];
        var keep = new bool[b - a];
        Array.Fill(keep, true);
        foreach (var beat in r.BeatSamples)
            for (long n = beat - (long)(pre * fs); n < beat + (long)(post * fs); n++)
                if (n >= a && n < b) keep[n - a] = false;
        double sum = 0; int count = 0;
        for (int i = 0; i < y.Length; i++) if (keep[i]) { sum += x[a + i]; count++; }
        double mean = count > 0 ? sum / count : 0;
        for (int i = 0; i < y.Length; i++) y[i] = keep[i] ? x[a + i] - mean : 0;
        return y;
    }

    public static double[] Slice(float[] x, double fs, double from, double to)
    {
        int a = (int)(from * fs), b = (int)(to * fs);
        var y = new double[b - a];
        double mean = 0;
        for (int i = 0; i < y.Length; i++) mean += x[a + i];
        mean /= y.Length;
        for (int i = 0; i < y.Length; i++) y[i] = x[a + i] - mean;
        return y;
    }
}
