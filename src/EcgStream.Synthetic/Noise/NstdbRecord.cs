using System.Collections.Concurrent;
using System.Globalization;

namespace EcgStream.Synthetic.Noise;

/// <summary>
/// A noise record of the MIT-BIH Noise Stress Test Database (<c>bw</c> baseline wander, <c>ma</c>
/// muscle artefact: 2 channels, 360 Hz, WFDB format 212), loaded once per process, its mean removed
/// and normalised to unit power over 10-second windows so that mixing at a set SNR is accurate
/// locally, not only on average over 30 minutes.
/// <para>
/// This small reader handles exactly what these records use (one .dat, format 212, default gain);
/// general WFDB reading lives in EcgStream.Formats. Every claim of the header is checked against
/// the data (size, checksums) and a mismatch names the file.
/// </para>
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
        string hea = basePath + ".hea";
        if (!File.Exists(hea)) throw new FileNotFoundException($"NSTDB noise record header {hea} not found", hea);
        var lines = File.ReadAllLines(hea).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).ToArray();
        if (lines.Length < 2) throw new InvalidDataException($"{hea}: header has no signal lines");
        var rec = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rec.Length < 4) throw new InvalidDataException($"{hea}: record line \"{lines[0]}\" lacks sampling frequency or length");
        int nsig = ParseInt(rec[1], hea, "number of signals");
        double fs = double.Parse(rec[2].Split('/')[0], CultureInfo.InvariantCulture);
        long nsamp = ParseInt(rec[3], hea, "number of samples");
        if (nsig != 2 || lines.Length < 1 + nsig) throw new InvalidDataException($"{hea}: expected 2 signals, header declares {nsig}");
        string? datName = null;
        var gain = new double[nsig];
        var checksum = new int[nsig];
        var adcZero = new int[nsig];
        for (int s = 0; s < nsig; s++)
        {
            var f = lines[1 + s].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 7) throw new InvalidDataException($"{hea}: signal line {s + 1} has {f.Length} fields, 7 needed");
            datName ??= f[0];
            if (f[0] != datName) throw new InvalidDataException($"{hea}: signals in different files are not supported here");
            if (f[1] != "212") throw new InvalidDataException($"{hea}: signal {s + 1} has format {f[1]}, this reader handles 212 only");
            double g = double.Parse(f[2].Split('(')[0].Split('/')[0], CultureInfo.InvariantCulture);
            gain[s] = g == 0 ? 200 : g; // WFDB: gain 0 means the default, 200 adu/mV
            adcZero[s] = ParseInt(f[4], hea, "ADC zero");
            checksum[s] = ParseInt(f[6], hea, "checksum");
        }
        string dat = Path.Combine(Path.GetDirectoryName(hea)!, datName!);
        if (!File.Exists(dat)) throw new FileNotFoundException($"{dat} (named by {hea}) not found", dat);
        var bytes = File.ReadAllBytes(dat);
        long need = nsamp * 3; // format 212: two 12-bit samples in three bytes
        if (bytes.Length < need)
            throw new InvalidDataException($"{dat}: {bytes.Length} bytes, header {hea} declares {nsamp} samples × 2 signals = {need} bytes");
        var ch = new[] { new float[nsamp], new float[nsamp] };
        var sums = new int[2];
        for (long i = 0; i < nsamp; i++)
        {
            int b0 = bytes[3 * i], b1 = bytes[3 * i + 1], b2 = bytes[3 * i + 2];
            int s0 = b0 | ((b1 & 0x0F) << 8), s1 = b2 | ((b1 & 0xF0) << 4);
            if (s0 > 2047) s0 -= 4096;
            if (s1 > 2047) s1 -= 4096;
            sums[0] += s0; sums[1] += s1;
            ch[0][i] = (float)((s0 - adcZero[0]) / gain[0]);
            ch[1][i] = (float)((s1 - adcZero[1]) / gain[1]);
        }
        for (int s = 0; s < 2; s++)
        {
            if ((short)sums[s] != checksum[s])
                throw new InvalidDataException($"{dat}: checksum of signal {s + 1} is {(short)sums[s]}, header {hea} says {checksum[s]}");
            Normalise(ch[s], (int)(10 * fs));
        }
        return new NstdbRecord(fs, ch);
    }

    private static int ParseInt(string s, string file, string what) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new InvalidDataException($"{file}: {what} \"{s}\" is not an integer");

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
