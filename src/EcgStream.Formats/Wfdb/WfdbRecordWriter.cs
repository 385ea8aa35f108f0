using System.Buffers;
using System.Globalization;
using System.Text;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Writes a <see cref="Recording"/> as a WFDB record: one multiplexed .dat file and a .hea header
/// with gain, baseline, units, ADC fields, initial values and checksums computed from the samples
/// actually written, so that WFDB's own tools (rdsamp, wfdbdesc) accept it.
/// </summary>
internal static class WfdbRecordWriter
{
    // A multiple of 6, so that every chunk but the last ends on a 212 (2-sample) or 310/311
    // (3-sample) packing-group boundary whatever the number of signals.
    private const int FramesPerChunk = 8190;

    public static void Write(string directory, Recording record, WfdbWriteOptions options)
    {
        int format = options.Format;
        if (!SignalFormats.IsWritable(format))
            throw new ArgumentException($"format {format} cannot be written (writable: 16, 24, 32, 61, 80, 160, 212, 310, 311)", nameof(options));
        string name = options.RecordName ?? record.Name;
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw new ArgumentException($"record name '{name}' must be non-empty and hold only letters, digits, '_' and '-'", nameof(record));
        int nsig = record.Signals.Count;
        if (nsig == 0) throw new ArgumentException("the recording has no signals", nameof(record));
        if (options.BaseDate is not null && options.BaseTime is null)
            throw new ArgumentException("a base date needs a base time", nameof(options));

        var (min, max) = SignalFormats.Range(format);
        var scale = new double[nsig];
        var baseline = new int[nsig];
        for (int c = 0; c < nsig; c++)
        {
            var s = record.Signals[c];
            if (s.AdcGain == 0 || !double.IsFinite(s.AdcGain))
                throw new ArgumentException($"signal {c} ('{s.Name}') has ADC gain {s.AdcGain}; the gain must be finite and non-zero", nameof(record));
            if (!double.IsFinite(s.Baseline) || Math.Round(s.Baseline) < int.MinValue || Math.Round(s.Baseline) > int.MaxValue)
                throw new ArgumentException($"signal {c} ('{s.Name}') has baseline {s.Baseline}, which is not a 32-bit integer", nameof(record));
            if (s.Name.Contains('\n') || s.Name.Contains('\r'))
                throw new ArgumentException($"signal {c} name holds a line break", nameof(record));
            if (s.Units.Length == 0 || s.Units.Any(char.IsWhiteSpace))
                throw new ArgumentException($"signal {c} ('{s.Name}') units '{s.Units}' must be one word", nameof(record));
            scale[c] = s.AdcGain / s.MillivoltsPerUnit;
            baseline[c] = (int)Math.Round(s.Baseline);
        }

        Directory.CreateDirectory(directory);
        string datName = name + ".dat";
        int n = record.Length;
        var checksums = new int[nsig];
        var initial = new int[nsig];
        int invalid = SignalFormats.InvalidSample(format) ?? int.MinValue;

        int chunkSamples = FramesPerChunk * nsig;
        int[] digital = ArrayPool<int>.Shared.Rent(chunkSamples);
        byte[] bytes = ArrayPool<byte>.Shared.Rent((int)SignalFormats.MaxBytes(format, chunkSamples));
        try
        {
            using var dat = new FileStream(Path.Combine(directory, datName), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            for (int f0 = 0; f0 < n; f0 += FramesPerChunk)
            {
                int frames = Math.Min(FramesPerChunk, n - f0);
                var d = digital.AsSpan(0, frames * nsig);
                for (int c = 0; c < nsig; c++)
                {
                    var src = record.Samples[c].AsSpan(f0, frames);
                    double g = scale[c];
                    int b = baseline[c];
                    for (int i = 0; i < frames; i++)
                    {
                        float v = src[i];
                        int q;
                        if (float.IsNaN(v)) q = invalid;    // WFDB's marker for a missing sample
                        else
                        {
                            double x = Math.Round(v * g + b);
                            if (!(x >= min && x <= max) || (x == invalid && SignalFormats.InvalidSample(format) is not null))
                                throw new ArgumentException(
                                    $"sample {f0 + i} of signal {c} ('{record.Signals[c].Name}') = {v} is outside what format {format} stores at gain {record.Signals[c].AdcGain} and baseline {b} (digital {min + 1}..{max})",
                                    nameof(record));
                            q = (int)x;
                        }
                        d[i * nsig + c] = q;
                        checksums[c] += q;
                    }
                    if (f0 == 0) initial[c] = d[c];
                }
                int len = SignalFormats.Encode(format, d, bytes);
                dat.Write(bytes, 0, len);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(digital);
            ArrayPool<byte>.Shared.Return(bytes);
        }

        var hea = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        hea.Append(name).Append(' ').Append(nsig).Append(' ').Append(record.SampleRate.ToString("R", inv)).Append(' ').Append(n);
        if (options.BaseTime is { } t)
        {
            hea.Append(' ').Append(((int)t.TotalHours).ToString("00", inv)).Append(':').Append(t.Minutes.ToString("00", inv))
               .Append(':').Append(t.Seconds.ToString("00", inv));
            if (t.Milliseconds != 0) hea.Append('.').Append(t.Milliseconds.ToString("000", inv));
            if (options.BaseDate is { } dt) hea.Append(' ').Append(dt.Day.ToString("00", inv)).Append('/').Append(dt.Month.ToString("00", inv)).Append('/').Append(dt.Year.ToString("0000", inv));
        }
        hea.Append('\n');
        int natural = SignalFormats.NaturalResolution(format);
        for (int c = 0; c < nsig; c++)
        {
            var s = record.Signals[c];
            int res = s.AdcResolution > 0 && s.AdcResolution <= natural ? s.AdcResolution : natural;
            hea.Append(datName).Append(' ').Append(format.ToString(inv)).Append(' ')
               .Append(s.AdcGain.ToString("R", inv)).Append('(').Append(baseline[c].ToString(inv)).Append(")/").Append(s.Units).Append(' ')
               .Append(res.ToString(inv)).Append(' ')
               .Append(s.AdcZero.ToString(inv)).Append(' ')
               .Append((n > 0 ? initial[c] : s.AdcZero).ToString(inv)).Append(' ')
               .Append(unchecked((short)checksums[c]).ToString(inv)).Append(' ')
               .Append('0').Append(' ')
               .Append(s.Name.Length > 0 ? s.Name : $"signal {c}").Append('\n');
        }
        foreach (var comment in record.Comments)
            foreach (var line in comment.Split('\n'))
                hea.Append("# ").Append(line.TrimEnd('\r')).Append('\n');
        File.WriteAllText(Path.Combine(directory, name + ".hea"), hea.ToString(), new UTF8Encoding(false));
    }
}
