using System.Collections.Concurrent;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Synthetic.Noise;

/// <summary>
/// A noise record of the MIT-BIH Noise Stress Test Database (<c>bw</c> baseline wander, <c>ma</c>
/// muscle artefact: 2 channels, 360 Hz, WFDB format 212), loaded once per process, its mean removed
/// and normalised to unit power over 10-second windows so that mixing at a set SNR is accurate
/// locally, not only on average over 30 minutes.
/// Read with <see cref="Wfdb.ReadRecord"/> (which checks lengths and checksums against the header).
/// </summary>
internal sealed class NstdbRecord
{
    private static readonly ConcurrentDictionary<string, NstdbRecord> Cache = new();

    public double SampleRate { get; }
    /// <summary>Normalised samples, [channel][sample].</summary>
    public float[][] Channels { get; }

    private NstdbRecord(double fs, float[][] channels)
    {
        SampleRate = fs;
        Channels = channels;
    }

    public static NstdbRecord Load(string directory, string name) =>
        Cache.GetOrAdd(Path.GetFullPath(Path.Combine(directory, name)), path => Read(path));

    private static NstdbRecord Read(string basePath)
    {
        var rec = Wfdb.ReadRecord(basePath);
        if (rec.Samples.Length < 2)
            throw new EcgFormatException(basePath + ".hea", $"NSTDB noise records have 2 signals, this one has {rec.Samples.Length}");
        var ch = new[] { (float[])rec.Samples[0].Clone(), (float[])rec.Samples[1].Clone() };
        foreach (var x in ch)
        {
            // Samples WFDB marks invalid arrive as NaN: silence them rather than poison the mix.
            for (int i = 0; i < x.Length; i++) if (float.IsNaN(x[i])) x[i] = 0;
            Normalise(x, (int)(10 * rec.SampleRate));
        }
        return new NstdbRecord(rec.SampleRate, ch);
    }

    /// <summary>Removes each window's mean and divides by its RMS, with the gain interpolated between window centres.</summary>
    private static void Normalise(float[] x, int window)
    {
        int nw = Math.Max(1, x.Length / window);
        var mean = new double[nw];
        var rms = new double[nw];
        for (int w = 0; w < nw; w++)
        {
            int a = w * window, b = w == nw - 1 ? x.Length : a + window;
            double s = 0, s2 = 0;
            for (int i = a; i < b; i++) { s += x[i]; s2 += (double)x[i] * x[i]; }
            mean[w] = s / (b - a);
            rms[w] = Math.Sqrt(Math.Max(s2 / (b - a) - mean[w] * mean[w], 1e-12));
        }
        for (int i = 0; i < x.Length; i++)
        {
            double pos = (double)i / window - 0.5;
            int w0 = Math.Clamp((int)Math.Floor(pos), 0, nw - 1), w1 = Math.Min(w0 + 1, nw - 1);
            double f = Math.Clamp(pos - w0, 0, 1);
            double m = mean[w0] + f * (mean[w1] - mean[w0]);
            double r = rms[w0] + f * (rms[w1] - rms[w0]);
            x[i] = (float)((x[i] - m) / r);
        }
    }
}
