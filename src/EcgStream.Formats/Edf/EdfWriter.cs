using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EcgStream.Formats.Edf;

/// <summary>
/// Writes a <see cref="Recording"/> as EDF+C: 16-bit samples scaled per channel to the channel's
/// own range, and an "EDF Annotations" signal carrying the recording's annotations (as TALs whose
/// text is the aux string, or the annotation symbol when there is none).
/// </summary>
public static class EdfWriter
{
    public static void Write(string path, Recording record, DateTime? start = null)
    {
        int nsig = record.Signals.Count;
        if (nsig == 0) throw new ArgumentException("the recording has no signals", nameof(record));
        // Data records of 1 s when the rate is whole, else the shortest duration ≤ 10 s holding whole samples.
        double duration = 0;
        int spr = 0;
        foreach (double d in (ReadOnlySpan<double>)[1, 2, 5, 10, 0.5, 0.25, 0.2, 0.1])
        {
            double n = record.SampleRate * d;
            if (Math.Abs(n - Math.Round(n)) < 1e-9 && n >= 1 && n <= 32767) { duration = d; spr = (int)Math.Round(n); break; }
        }
        if (spr == 0)
            throw new ArgumentException($"sampling rate {record.SampleRate} Hz gives no whole number of samples per EDF data record of 0.1–10 s", nameof(record));
        long records = (record.Length + spr - 1) / spr;

        // Per channel: the physical range of the data (outward-rounded to what 8 characters hold),
        // mapped onto the full 16-bit digital range.
        var physMin = new string[nsig];
        var physMax = new string[nsig];
        var gain = new double[nsig];
        var offset = new double[nsig];
        for (int c = 0; c < nsig; c++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            foreach (float v in record.Samples[c])
            {
                if (!float.IsFinite(v))
                    throw new ArgumentException($"signal {c} ('{record.Signals[c].Name}') holds {v}; EDF stores finite samples only", nameof(record));
                lo = Math.Min(lo, v); hi = Math.Max(hi, v);
            }
            if (record.Length == 0 || hi - lo < 1e-3f) { lo -= 1; hi += 1; }
            physMin[c] = Number8(lo, down: true);
            physMax[c] = Number8(hi, down: false);
            double pmin = double.Parse(physMin[c], CultureInfo.InvariantCulture), pmax = double.Parse(physMax[c], CultureInfo.InvariantCulture);
            gain[c] = (32767.0 - -32768.0) / (pmax - pmin);
            offset[c] = -32768 - pmin * gain[c];
        }

        // Annotation signal: per data record a timekeeping TAL, then that record's annotations.
        var tals = new List<byte>[records == 0 ? 1 : records];
        for (long r = 0; r < tals.Length; r++)
        {
            tals[r] = [];
            tals[r].AddRange(Encoding.ASCII.GetBytes($"+{Seconds(r * duration)}\x14\x14\0"));
        }
        foreach (var a in record.Annotations)
        {
            long r = Math.Clamp(a.Sample / spr, 0, tals.Length - 1);
            string text = a.Aux ?? a.Symbol;
            if (text.Contains('\x14') || text.Contains('\x15') || text.Contains('\0'))
                throw new ArgumentException($"annotation text '{text}' holds an EDF+ separator byte", nameof(record));
            tals[r].AddRange(Encoding.ASCII.GetBytes($"+{Seconds(a.Sample / record.SampleRate)}\x14"));
            tals[r].AddRange(Encoding.UTF8.GetBytes(text));
            tals[r].AddRange("\x14\0"u8.ToArray());
        }
        int annBytes = tals.Max(t => t.Count);
        int annSamples = (annBytes + 1) / 2;
        int ns = nsig + 1;

        var header = new StringBuilder();
        var begin = start ?? new DateTime(2000, 1, 1);
        header.Append(Pad("0", 8)).Append(Pad("X X X X", 80))
              .Append(Pad("Startdate " + begin.ToString("dd-MMM-yyyy", CultureInfo.InvariantCulture).ToUpperInvariant() + " X X X", 80))
              .Append(begin.ToString("dd.MM.yy", CultureInfo.InvariantCulture)).Append(begin.ToString("HH.mm.ss", CultureInfo.InvariantCulture))
              .Append(Pad((256 + 256 * ns).ToString(CultureInfo.InvariantCulture), 8)).Append(Pad("EDF+C", 44))
              .Append(Pad(records.ToString(CultureInfo.InvariantCulture), 8)).Append(Pad(Seconds(duration), 8))
              .Append(Pad(ns.ToString(CultureInfo.InvariantCulture), 4));
        for (int c = 0; c < nsig; c++) header.Append(Pad(record.Signals[c].Name, 16));
        header.Append(Pad(EdfHeader.AnnotationLabel, 16));
        for (int c = 0; c < ns; c++) header.Append(Pad("", 80));
        for (int c = 0; c < nsig; c++) header.Append(Pad(record.Signals[c].IsVoltage ? "mV" : record.Signals[c].Units, 8));
        header.Append(Pad("", 8));
        for (int c = 0; c < nsig; c++) header.Append(Pad(physMin[c], 8));
        header.Append(Pad("-1", 8));
        for (int c = 0; c < nsig; c++) header.Append(Pad(physMax[c], 8));
        header.Append(Pad("1", 8));
        for (int c = 0; c < nsig; c++) header.Append(Pad("-32768", 8));
        header.Append(Pad("-32768", 8));
        for (int c = 0; c < nsig; c++) header.Append(Pad("32767", 8));
        header.Append(Pad("32767", 8));
        for (int c = 0; c < ns; c++) header.Append(Pad("", 80));
        for (int c = 0; c < nsig; c++) header.Append(Pad(spr.ToString(CultureInfo.InvariantCulture), 8));
        header.Append(Pad(annSamples.ToString(CultureInfo.InvariantCulture), 8));
        for (int c = 0; c < ns; c++) header.Append(Pad("", 32));

        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        fs.Write(headerBytes);
        var buf = new byte[2 * (nsig * spr + annSamples)];
        for (long r = 0; r < records; r++)
        {
            Array.Clear(buf);
            int o = 0;
            for (int c = 0; c < nsig; c++)
            {
                var src = record.Samples[c];
                for (int k = 0; k < spr; k++, o += 2)
                {
                    long i = r * spr + k;
                    // Samples past the end of the recording pad the last record with the physical 0.
                    double v = i < src.Length ? src[i] : 0;
                    int d = (int)Math.Clamp(Math.Round(v * gain[c] + offset[c]), -32768, 32767);
                    BinaryPrimitives.WriteInt16LittleEndian(buf.AsSpan(o, 2), (short)d);
                }
            }
            tals[r].CopyTo(buf, o);
            fs.Write(buf);
        }
    }

    private static string Seconds(double s) => s.ToString("0.########", CultureInfo.InvariantCulture);

    private static string Pad(string s, int width)
    {
        var ascii = new string(s.Select(ch => ch is >= ' ' and <= '~' ? ch : '_').ToArray());
        return ascii.Length >= width ? ascii[..width] : ascii.PadRight(width);
    }

    // The shortest decimal of at most 8 characters at or beyond v (below it for a minimum, above for a maximum).
    private static string Number8(double v, bool down)
    {
        for (int decimals = 6; decimals >= 0; decimals--)
        {
            double p = Math.Pow(10, decimals);
            double r = down ? Math.Floor(v * p) / p : Math.Ceiling(v * p) / p;
            string s = r.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
            if (s.Length <= 8) return s;
        }
        throw new ArgumentException($"value {v} does not fit an 8-character EDF field");
    }
}
