using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Formats.Edf;

/// <summary>
/// EDF and EDF+C files: a 256-byte fixed header, 256 bytes per signal (each field for all signals
/// in turn), then data records of 16-bit little-endian samples, signal after signal. EDF+
/// annotations come from the "EDF Annotations" signal's time-stamped annotation lists (TALs).
/// EDF+D (discontinuous) is refused.
/// </summary>
public static class EdfReader
{
    private const int FixedBytes = 256, PerSignalBytes = 256, MaxSignals = 4096;
    // EDF+ asks for data records under 61 440 bytes; we accept far larger ones, but not absurd sizes.
    private const long MaxRecordBytes = 1 << 28;

    public static EdfHeader ReadHeader(string path)
    {
        using var fs = Open(path);
        return ReadHeader(path, fs);
    }

    /// <summary>
    /// Reads the ordinary signals (all, or the indices in <paramref name="channels"/>, counted among
    /// all header signals) as physical values (mV where the dimension is a voltage), and the EDF+
    /// annotations as <see cref="AnnotationCode.Note"/> annotations ("(…" texts as rhythm changes).
    /// The selected signals must share one sampling rate.
    /// </summary>
    public static Recording Read(string path, IReadOnlyList<int>? channels = null)
    {
        using var fs = Open(path);
        var h = ReadHeader(path, fs);
        if (h.Reserved.StartsWith("EDF+D", StringComparison.Ordinal))
            throw new EcgFormatException(path, "EDF+D (discontinuous) recordings are not supported; only EDF and EDF+C", field: "reserved", byteOffset: 192);

        var chans = new List<int>();
        if (channels is null)
        {
            for (int i = 0; i < h.Signals.Count; i++) if (!h.Signals[i].IsAnnotation) chans.Add(i);
        }
        else
        {
            foreach (int c in channels)
            {
                if (c < 0 || c >= h.Signals.Count)
                    throw new ArgumentOutOfRangeException(nameof(channels), c, $"{path} has signals 0..{h.Signals.Count - 1}");
                if (h.Signals[c].IsAnnotation)
                    throw new ArgumentException($"signal {c} of {path} is the annotation signal", nameof(channels));
                chans.Add(c);
            }
        }
        if (chans.Count == 0)
            throw new EcgFormatException(path, "the file holds no ordinary signals (only annotations)", field: "ns");
        if (h.RecordDuration <= 0)
            throw new EcgFormatException(path, $"data record duration {h.RecordDuration} s must be positive for a file with signals", field: "duration", byteOffset: 244);
        int spr = h.Signals[chans[0]].SamplesPerRecord;
        foreach (int c in chans)
            if (h.Signals[c].SamplesPerRecord != spr)
                throw new EcgFormatException(path,
                    $"signals have different sampling rates ({string.Join(", ", chans.Select(i => $"'{h.Signals[i].Label}' {h.Signals[i].SamplesPerRecord / h.RecordDuration} Hz"))}); select signals of one rate",
                    field: "samples_per_record");

        long n = h.DataRecords * spr;
        if (n > Array.MaxLength)
            throw new EcgFormatException(path, $"{n} samples per signal are too many to load");
        RecordFiles.CheckRead(path, n * chans.Count, field: "data_records");
        var samples = new float[chans.Count][];
        for (int i = 0; i < samples.Length; i++) samples[i] = new float[n];
        var scale = new double[chans.Count];
        var baseline = new double[chans.Count];
        for (int i = 0; i < chans.Count; i++)
        {
            var s = h.Signals[chans[i]];
            scale[i] = UnitScale.MillivoltsPer(s.PhysicalDimension) / s.Gain;
            baseline[i] = s.Baseline;
        }

        var signalOffset = new long[h.Signals.Count];
        for (int i = 1; i < h.Signals.Count; i++) signalOffset[i] = signalOffset[i - 1] + 2L * h.Signals[i - 1].SamplesPerRecord;
        var record = new byte[h.RecordBytes];
        var annotations = new List<EdfAnnotation>();
        fs.Position = h.HeaderBytes;
        for (long r = 0; r < h.DataRecords; r++)
        {
            fs.ReadExactly(record);
            for (int i = 0; i < chans.Count; i++)
            {
                var src = record.AsSpan((int)signalOffset[chans[i]], 2 * spr);
                var dst = samples[i].AsSpan((int)(r * spr), spr);
                double g = scale[i], b = baseline[i];
                for (int k = 0; k < spr; k++) dst[k] = (float)((BinaryPrimitives.ReadInt16LittleEndian(src.Slice(2 * k, 2)) - b) * g);
            }
            for (int s = 0; s < h.Signals.Count; s++)
            {
                if (!h.Signals[s].IsAnnotation) continue;
                long at = h.HeaderBytes + r * h.RecordBytes + signalOffset[s];
                ParseTals(path, record.AsSpan((int)signalOffset[s], 2 * h.Signals[s].SamplesPerRecord), at, annotations);
            }
        }

        double fsHz = spr / h.RecordDuration;
        if (!double.IsFinite(fsHz))
            throw new EcgFormatException(path, $"{spr} samples per {h.RecordDuration} s record is not a finite sampling rate", field: "duration", byteOffset: 244);
        var signals = chans.Select(c =>
        {
            var s = h.Signals[c];
            return new SignalInfo
            {
                Name = s.Label,
                Units = s.PhysicalDimension.Length > 0 ? s.PhysicalDimension : "mV",
                AdcGain = s.Gain,
                Baseline = s.Baseline,
                AdcZero = (int)Math.Round((s.DigitalMaximum + (double)s.DigitalMinimum) / 2),
                AdcResolution = 16,
                Format = 16,
                InitialValue = n > 0 ? BinaryPrimitives.ReadInt16LittleEndian(FirstSample(fs, h, signalOffset[c])) : 0,
            };
        }).ToArray();

        return new Recording
        {
            Name = System.IO.Path.GetFileNameWithoutExtension(path),
            SampleRate = fsHz,
            Signals = signals,
            Samples = samples,
            Annotations = annotations.Select(a => ToAnnotation(a, fsHz)).OrderBy(a => a.Sample).ToArray(),
            Comments = [h.PatientId, h.RecordingId],
        };
    }

    /// <summary>The EDF+ annotations of a file, timekeeping entries excluded.</summary>
    public static IReadOnlyList<EdfAnnotation> ReadAnnotations(string path)
    {
        using var fs = Open(path);
        var h = ReadHeader(path, fs);
        var list = new List<EdfAnnotation>();
        var record = new byte[h.RecordBytes];
        long offset = 0;
        fs.Position = h.HeaderBytes;
        for (long r = 0; r < h.DataRecords; r++)
        {
            fs.ReadExactly(record);
            offset = 0;
            foreach (var s in h.Signals)
            {
                if (s.IsAnnotation)
                    ParseTals(path, record.AsSpan((int)offset, 2 * s.SamplesPerRecord), h.HeaderBytes + r * h.RecordBytes + offset, list);
                offset += 2L * s.SamplesPerRecord;
            }
        }
        return list;
    }

    private static Annotation ToAnnotation(EdfAnnotation a, double fs)
    {
        long sample = (long)Math.Round(a.Onset * fs);
        var code = a.Text.StartsWith('(') ? AnnotationCode.Rhythm : AnnotationCode.Note;
        return new Annotation(Math.Max(0, sample), code, Aux: a.Text);
    }

    private static ReadOnlySpan<byte> FirstSample(FileStream fs, EdfHeader h, long offset)
    {
        var b = new byte[2];
        fs.Position = h.HeaderBytes + offset;
        fs.ReadExactly(b);
        return b;
    }

    // TAL: '+'|'-' onset [0x15 duration] 0x14 (text 0x14)* 0x00; unused bytes are 0x00.
    private static void ParseTals(string path, ReadOnlySpan<byte> data, long fileOffset, List<EdfAnnotation> into)
    {
        int i = 0;
        while (i < data.Length && data[i] != 0)
        {
            int start = i;
            int end = data[i..].IndexOf((byte)0);
            if (end < 0)
                throw new EcgFormatException(path, "annotation list (TAL) is not terminated by a 0 byte", field: "EDF Annotations", byteOffset: fileOffset + start);
            var tal = data.Slice(i, end);
            i += end + 1;
            int c20 = tal.IndexOf((byte)0x14);
            if (c20 < 0)
                throw new EcgFormatException(path, "annotation list (TAL) has no 0x14 after its onset", field: "EDF Annotations", byteOffset: fileOffset + start);
            var time = tal[..c20];
            int c21 = time.IndexOf((byte)0x15);
            var onsetText = Encoding.ASCII.GetString(c21 < 0 ? time : time[..c21]);
            if (onsetText.Length < 2 || onsetText[0] is not ('+' or '-')
                || !double.TryParse(onsetText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double onset))
                throw new EcgFormatException(path, $"annotation onset '{onsetText}' is not a signed number of seconds", field: "EDF Annotations", byteOffset: fileOffset + start);
            double? duration = null;
            if (c21 >= 0)
            {
                var dText = Encoding.ASCII.GetString(time[(c21 + 1)..]);
                if (!double.TryParse(dText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d))
                    throw new EcgFormatException(path, $"annotation duration '{dText}' is not a number of seconds", field: "EDF Annotations", byteOffset: fileOffset + start);
                duration = d;
            }
            var texts = tal[(c20 + 1)..];
            // A TAL without text is a record's timekeeping entry: nothing to keep.
            while (texts.Length > 0)
            {
                int sep = texts.IndexOf((byte)0x14);
                var t = sep < 0 ? texts : texts[..sep];
                if (t.Length > 0) into.Add(new EdfAnnotation(onset, duration, Encoding.UTF8.GetString(t)));
                texts = sep < 0 ? [] : texts[(sep + 1)..];
            }
        }
    }

    private static FileStream Open(string path) =>
        File.Exists(path)
            ? RecordFiles.OpenRead(path)
            : throw new FileNotFoundException($"EDF file '{path}' not found", path);

    private static EdfHeader ReadHeader(string path, FileStream fs)
    {
        if (fs.Length < FixedBytes)
            throw new EcgFormatException(path, $"file is {fs.Length} bytes, shorter than the 256-byte EDF header", byteOffset: fs.Length);
        var fixedPart = new byte[FixedBytes];
        fs.Position = 0;
        fs.ReadExactly(fixedPart);
        string Field(byte[] b, int at, int len) => Encoding.ASCII.GetString(b, at, len).Trim();

        if (fixedPart[0] == 0xFF)
            throw new EcgFormatException(path, "BDF (24-bit BioSemi) files are not supported", field: "version", byteOffset: 0);
        if (Field(fixedPart, 0, 8) != "0")
            throw new EcgFormatException(path, $"version '{Field(fixedPart, 0, 8)}' is not EDF's \"0\"", field: "version", byteOffset: 0);
        int headerBytes = Int(path, Field(fixedPart, 184, 8), "header_bytes", 184);
        string reserved = Field(fixedPart, 192, 44);
        long records = Int(path, Field(fixedPart, 236, 8), "data_records", 236);
        double duration = Dbl(path, Field(fixedPart, 244, 8), "duration", 244);
        int ns = Int(path, Field(fixedPart, 252, 4), "ns", 252);
        if (ns < 1 || ns > MaxSignals)
            throw new EcgFormatException(path, $"signal count {ns} is not 1..{MaxSignals}", field: "ns", byteOffset: 252);
        if (headerBytes != FixedBytes + ns * PerSignalBytes)
            throw new EcgFormatException(path, $"header size {headerBytes} bytes disagrees with {ns} signals (256 + {ns}×256 = {FixedBytes + ns * PerSignalBytes})", field: "header_bytes", byteOffset: 184);
        if (!(duration >= 0) || !double.IsFinite(duration))
            throw new EcgFormatException(path, $"data record duration {duration} s is negative or not finite", field: "duration", byteOffset: 244);
        if (fs.Length < headerBytes)
            throw new EcgFormatException(path, $"file is truncated inside its header ({fs.Length} of {headerBytes} bytes)", byteOffset: fs.Length);
        var sig = new byte[ns * PerSignalBytes];
        fs.ReadExactly(sig);

        int pos = 0;
        string[] Column(int width)
        {
            var r = new string[ns];
            for (int i = 0; i < ns; i++) r[i] = Encoding.ASCII.GetString(sig, pos + i * width, width).Trim();
            pos += ns * width;
            return r;
        }
        var labels = Column(16);
        var transducers = Column(80);
        var dims = Column(8);
        int physMinAt = FixedBytes + pos; var physMin = Column(8);
        int physMaxAt = FixedBytes + pos; var physMax = Column(8);
        int digMinAt = FixedBytes + pos; var digMin = Column(8);
        int digMaxAt = FixedBytes + pos; var digMax = Column(8);
        var prefilter = Column(80);
        int sprAt = FixedBytes + pos; var spr = Column(8);

        var signals = new EdfSignalHeader[ns];
        for (int i = 0; i < ns; i++)
        {
            var s = new EdfSignalHeader
            {
                Label = labels[i],
                TransducerType = transducers[i],
                PhysicalDimension = dims[i],
                PhysicalMinimum = Dbl(path, physMin[i], $"physical_minimum[{i}]", physMinAt + 8 * i),
                PhysicalMaximum = Dbl(path, physMax[i], $"physical_maximum[{i}]", physMaxAt + 8 * i),
                DigitalMinimum = Int(path, digMin[i], $"digital_minimum[{i}]", digMinAt + 8 * i),
                DigitalMaximum = Int(path, digMax[i], $"digital_maximum[{i}]", digMaxAt + 8 * i),
                Prefiltering = prefilter[i],
                SamplesPerRecord = Int(path, spr[i], $"samples_per_record[{i}]", sprAt + 8 * i),
            };
            if (s.SamplesPerRecord < 1)
                throw new EcgFormatException(path, $"signal {i} ('{s.Label}') has {s.SamplesPerRecord} samples per data record", field: $"samples_per_record[{i}]", byteOffset: sprAt + 8 * i);
            if (!s.IsAnnotation)
            {
                if (s.DigitalMaximum <= s.DigitalMinimum || s.DigitalMinimum < short.MinValue || s.DigitalMaximum > short.MaxValue)
                    throw new EcgFormatException(path, $"signal {i} ('{s.Label}') digital range {s.DigitalMinimum}..{s.DigitalMaximum} is empty or exceeds 16 bits", field: $"digital_minimum[{i}]", byteOffset: digMinAt + 8 * i);
                if (s.PhysicalMaximum == s.PhysicalMinimum)
                    throw new EcgFormatException(path, $"signal {i} ('{s.Label}') has physical minimum = maximum = {s.PhysicalMinimum}: the gain would be infinite (a 0 physical range)", field: $"physical_maximum[{i}]", byteOffset: physMaxAt + 8 * i);
            }
            signals[i] = s;
        }

        long recordBytes = 0;
        foreach (var s in signals) recordBytes += 2L * s.SamplesPerRecord;
        if (recordBytes > MaxRecordBytes)
            throw new EcgFormatException(path, $"one data record would take {recordBytes} bytes (at most {MaxRecordBytes}): the samples-per-record fields are wrong", field: "samples_per_record", byteOffset: sprAt);
        long dataBytes = fs.Length - headerBytes;
        if (records == -1)
            records = dataBytes / recordBytes;  // "unknown": as many whole records as the file holds
        else if (records < 0)
            throw new EcgFormatException(path, $"data record count {records} is negative", field: "data_records", byteOffset: 236);
        long expected = records * recordBytes;
        if (dataBytes < expected)
            throw new EcgFormatException(path, $"file is truncated: {records} data records of {recordBytes} bytes need {expected} bytes after the header, the file holds {dataBytes}", byteOffset: fs.Length);
        if (dataBytes > expected)
            throw new EcgFormatException(path, $"file holds {dataBytes} bytes after the header but {records} data records of {recordBytes} bytes take {expected}: the header's record count or signal sizes are wrong", field: "data_records", byteOffset: headerBytes + expected);

        return new EdfHeader
        {
            Path = path,
            PatientId = Field(fixedPart, 8, 80),
            RecordingId = Field(fixedPart, 88, 80),
            Start = ParseStart(Field(fixedPart, 168, 8), Field(fixedPart, 176, 8)),
            HeaderBytes = headerBytes,
            Reserved = reserved,
            DataRecords = records,
            RecordDuration = duration,
            Signals = signals,
        };
    }

    private static DateTime? ParseStart(string date, string time)
    {
        var d = date.Split('.');
        var t = time.Split('.');
        if (d.Length != 3 || t.Length != 3) return null;
        if (!int.TryParse(d[0], out int dd) || !int.TryParse(d[1], out int mm) || !int.TryParse(d[2], out int yy)) return null;
        if (!int.TryParse(t[0], out int h) || !int.TryParse(t[1], out int mi) || !int.TryParse(t[2], out int s)) return null;
        // a descriptive field: out of range is "start unknown", never a refusal (yy is two digits; 9999 would not fit a DateTime)
        if (yy is < 0 or > 99 || h is < 0 or > 23 || mi is < 0 or > 59 || s is < 0 or > 59 || mm is < 1 or > 12) return null;
        int year = yy >= 85 ? 1900 + yy : 2000 + yy;  // EDF's clipping date convention
        if (dd < 1 || dd > DateTime.DaysInMonth(year, mm)) return null;
        return new DateTime(year, mm, dd, h, mi, s, DateTimeKind.Unspecified);
    }

    private static int Int(string path, string text, string field, long at) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new EcgFormatException(path, $"'{text}' is not an integer", field: field, byteOffset: at);

    private static double Dbl(string path, string text, string field, long at) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new EcgFormatException(path, $"'{text}' is not a finite number", field: field, byteOffset: at);
}
