using System.Buffers.Binary;
using System.Globalization;

namespace EcgStream.Signal.Tests.Support;

/// <summary>
/// A minimal WFDB reader for these tests only (formats 212 and 16, MIT .atr annotations), so the
/// QRS and AF measurements on ../shared/data do not wait for EcgStream.Formats. Not product code:
/// it trusts the files in ../shared/data and checks only what would silently corrupt a measurement.
/// </summary>
internal static class MiniWfdb
{
    internal sealed record Record(string Name, double SampleRate, string[] SignalNames, float[][] Samples);
    internal readonly record struct Annotation(long Sample, int Code, string? Aux);

    /// <summary>WFDB beat codes that are QRS complexes (wfdb ecgcodes.h isqrs): N L R a V F J A S E j / Q B n e f r.</summary>
    internal static bool IsBeat(int code) => code is >= 1 and <= 13 or 25 or 30 or 34 or 35 or 38 or 41;

    internal const int VfOn = 32, VfOff = 33, Rhythm = 28;

    internal static Record ReadRecord(string recordPath)
    {
        var hea = File.ReadAllLines(recordPath + ".hea").Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        var head = hea[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int nsig = int.Parse(head[1], CultureInfo.InvariantCulture);
        double fs = double.Parse(head[2].Split('/')[0], CultureInfo.InvariantCulture);
        long nsamp = long.Parse(head[3], CultureInfo.InvariantCulture);
        var gains = new double[nsig];
        var baselines = new double[nsig];
        var names = new string[nsig];
        int format = 0;
        string file = "";
        for (int s = 0; s < nsig; s++)
        {
            var f = hea[1 + s].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            file = f[0];
            format = int.Parse(f[1].Split('x', ':', '+')[0], CultureInfo.InvariantCulture);
            var g = f[2];
            int paren = g.IndexOf('(');
            string gainText = (paren >= 0 ? g[..paren] : g.Split('/')[0]);
            gains[s] = double.Parse(gainText, CultureInfo.InvariantCulture);
            if (gains[s] == 0) gains[s] = 200; // WFDB: a gain of 0 means the default, 200 adu/mV
            double adcZero = f.Length > 4 ? double.Parse(f[4], CultureInfo.InvariantCulture) : 0;
            baselines[s] = paren >= 0 ? double.Parse(g[(paren + 1)..g.IndexOf(')')], CultureInfo.InvariantCulture) : adcZero;
            names[s] = f.Length > 8 ? string.Join(' ', f[8..]) : $"sig{s}";
        }
        var bytes = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(recordPath)!, file));
        var samples = new float[nsig][];
        for (int s = 0; s < nsig; s++) samples[s] = new float[nsamp];
        long total = nsamp * nsig;
        if (format == 212)
        {
            if (bytes.Length < (total * 3 + 1) / 2) throw new InvalidDataException($"{file}: {bytes.Length} bytes, {total} format-212 samples need {(total * 3 + 1) / 2}");
            for (long k = 0; k < total; k++)
            {
                long pair = k / 2 * 3;
                int v = k % 2 == 0
                    ? bytes[pair] | ((bytes[pair + 1] & 0x0F) << 8)
                    : bytes[pair + 2] | ((bytes[pair + 1] & 0xF0) << 4);
                if (v >= 2048) v -= 4096;
                int s = (int)(k % nsig);
                samples[s][k / nsig] = (float)((v - baselines[s]) / gains[s]);
            }
        }
        else if (format == 16)
        {
            if (bytes.Length < total * 2) throw new InvalidDataException($"{file}: {bytes.Length} bytes, {total} format-16 samples need {total * 2}");
            for (long k = 0; k < total; k++)
            {
                int v = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan((int)(k * 2), 2));
                int s = (int)(k % nsig);
                samples[s][k / nsig] = (float)((v - baselines[s]) / gains[s]);
            }
        }
        else throw new NotSupportedException($"{recordPath}.hea: format {format} is not read by the test reader");
        return new Record(Path.GetFileName(recordPath), fs, names, samples);
    }

    internal static List<Annotation> ReadAnnotations(string recordPath, string extension = "atr")
    {
        var b = File.ReadAllBytes(recordPath + "." + extension);
        var result = new List<Annotation>();
        long t = 0;
        int i = 0;
        while (i + 1 < b.Length)
        {
            int word = b[i] | (b[i + 1] << 8);
            i += 2;
            int code = word >> 10, inc = word & 0x3FF;
            if (code == 0 && inc == 0) break;
            switch (code)
            {
                case 59: // SKIP: a 32-bit interval follows, high 16 bits first (PDP-11 order)
                    int hi = b[i] | (b[i + 1] << 8), lo = b[i + 2] | (b[i + 3] << 8);
                    t += (hi << 16) | lo;
                    i += 4;
                    break;
                case 60: case 61: case 62: break; // NUM, SUB, CHN: not needed here
                case 63: // AUX for the previous annotation
                    var aux = System.Text.Encoding.ASCII.GetString(b, i, inc).TrimEnd('\0');
                    if (result.Count > 0) result[^1] = result[^1] with { Aux = aux };
                    i += (inc + 1) & ~1;
                    break;
                default:
                    t += inc;
                    result.Add(new Annotation(t, code, null));
                    break;
            }
        }
        return result;
    }
}
