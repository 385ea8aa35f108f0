using System.Globalization;
using System.Text.RegularExpressions;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Parses WFDB header text (header.5): a record line, one line per signal, '#' comment lines.
/// Fields the samples depend on (record name, signal count, fs, length, file, format and its
/// suffixes, gain, baseline) are refused when malformed, each rejection naming the file, line
/// and field. Fields that only describe the record (base time and date, counter frequency,
/// ADC resolution, initial value outside format 8, checksum, block size) are read as real
/// distributions write them: a malformed one is ignored with a warning in
/// <see cref="WfdbHeader.Warnings"/>, because the signal is what matters.
/// </summary>
internal static partial class WfdbHeaderParser
{
    // format[xsamples_per_frame][:skew][+byte_offset]
    [GeneratedRegex(@"^(\d+)(?:x(\d+))?(?::(-?\d+))?(?:\+(\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex FormatField();

    // adc_gain[(baseline)][/units]
    [GeneratedRegex(@"^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\((-?\d+)\))?(?:/(.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex GainField();

    // fs[/counter_freq[(base_counter)]]
    [GeneratedRegex(@"^([^/]+)(?:/([^(]+)(?:\(([^)]*)\))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FsField();

    public static WfdbHeader Parse(string path, string text)
    {
        var comments = new List<string>();
        var warnings = new List<string>();
        var signals = new List<WfdbSignalSpec>();
        var signalLines = new List<int>();
        string? recordName = null;
        int declaredSignals = 0;
        double fs = Wfdb.DefaultFrequency;
        double? counterFreq = null;
        double baseCounter = 0;
        long? nsamp = null;
        TimeSpan? baseTime = null;
        DateOnly? baseDate = null;
        int recordLine = 0;

        int lineNo = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var line = rawLine.TrimEnd('\r', ' ', '\t');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0) continue;
            if (trimmed[0] == '#')
            {
                comments.Add(trimmed[1..].Trim());
                continue;
            }
            if (recordName is null)
            {
                recordLine = lineNo;
                var t = Tokens(trimmed);
                if (t.Count < 2)
                    throw new EcgFormatException(path, $"record line '{trimmed}' needs at least a record name and a signal count", lineNo);
                var name = t[0].Text;
                if (name.Contains('/'))
                    throw new EcgFormatException(path, $"record '{name}' is a multi-segment record; multi-segment records are not supported", lineNo, "number_of_segments");
                recordName = name;
                declaredSignals = ParseInt(path, lineNo, "n_sig", t[1].Text);
                if (declaredSignals < 0)
                    throw new EcgFormatException(path, $"signal count {declaredSignals} is negative", lineNo, "n_sig");
                if (t.Count > 2) (fs, counterFreq, baseCounter) = ParseFs(path, lineNo, t[2].Text, warnings);
                if (t.Count > 3)
                {
                    long n = ParseLong(path, lineNo, "sig_len", t[3].Text);
                    if (n < 0) throw new EcgFormatException(path, $"sample count {n} is negative", lineNo, "sig_len");
                    nsamp = n == 0 ? null : n;
                }
                if (t.Count > 4) (baseTime, baseDate) = ParseBaseTimeAndDate(path, lineNo, t, warnings);
                continue;
            }
            signals.Add(ParseSignal(path, lineNo, trimmed, recordName, signals.Count, warnings));
            signalLines.Add(lineNo);
        }

        if (recordName is null)
            throw new EcgFormatException(path, "no record line: the header is empty or holds only comments");
        if (signals.Count != declaredSignals)
            throw new EcgFormatException(path,
                $"the record line declares {declaredSignals} signals but the header has {signals.Count} signal lines", recordLine, "n_sig");

        // PhysioNet/CinC 2017 headers write 0 in every checksum field without computing it; a
        // header whose checksums are all 0 is read as having none (a genuine all-zero set of
        // checksums is a 1 in 65536 chance per signal, and is then merely not verified).
        bool allZero = signals.Count > 0 && signals.TrueForAll(s => s.Checksum == 0);
        if (allZero)
            for (int i = 0; i < signals.Count; i++) signals[i] = signals[i] with { Checksum = null };
        if (nsamp is long length)
            for (int i = 0; i < signals.Count; i++)
                if (Math.Abs((long)signals[i].Skew) >= length)
                    throw new EcgFormatException(path,
                        $"skew {signals[i].Skew} samples is not less than the record's {length} samples: the signal would lie wholly outside the record",
                        signalLines[i], "skew");
        CorrectThousandfoldGains(path, signals, signalLines, warnings);

        return new WfdbHeader
        {
            ChecksumsNotGiven = allZero,
            Path = path,
            RecordName = recordName,
            SamplingFrequency = fs,
            CounterFrequency = counterFreq,
            BaseCounter = baseCounter,
            SampleCount = nsamp,
            BaseTime = baseTime,
            BaseDate = baseDate,
            Signals = signals,
            Comments = comments,
            Warnings = warnings,
        };
    }

    private static WfdbSignalSpec ParseSignal(string path, int lineNo, string line, string recordName, int index, List<string> warnings)
    {
        var t = Tokens(line);
        if (t.Count < 2)
            throw new EcgFormatException(path, $"signal line '{line}' needs at least a file name and a format", lineNo);
        string file = t[0].Text;
        if (file.IndexOfAny(['\0', '\\']) >= 0 || file.EndsWith('/') || file is "." or "..")
            throw new EcgFormatException(path, $"signal file name '{file}' is not a file name", lineNo, "file_name");
        if (file == "~")
            throw new EcgFormatException(path, "signal file '~' (null signal) is not supported", lineNo, "file_name");

        var fm = FormatField().Match(t[1].Text);
        if (!fm.Success)
            throw new EcgFormatException(path, $"format '{t[1].Text}' is not of the form format[xN][:skew][+offset]", lineNo, "fmt");
        int format = ParseInt(path, lineNo, "fmt", fm.Groups[1].Value);
        if (!SignalFormats.IsSupported(format))
            throw new EcgFormatException(path, $"signal format {format} is unknown or unsupported (supported: {SignalFormats.SupportedList})", lineNo, "fmt");
        int spf = fm.Groups[2].Success ? ParseInt(path, lineNo, "samps_per_frame", fm.Groups[2].Value) : 1;
        if (spf < 1 || spf > 1 << 16)
            throw new EcgFormatException(path, $"samples per frame {spf} must be between 1 and 65536", lineNo, "samps_per_frame");
        int skew = fm.Groups[3].Success ? ParseInt(path, lineNo, "skew", fm.Groups[3].Value) : 0;
        long offset = fm.Groups[4].Success ? ParseLong(path, lineNo, "byte_offset", fm.Groups[4].Value) : 0;

        double gain = Wfdb.DefaultGain;
        bool calibrated = false;
        int? baseline = null;
        string units = "mV";
        if (t.Count > 2)
        {
            var gm = GainField().Match(t[2].Text);
            if (!gm.Success)
                throw new EcgFormatException(path, $"'{t[2].Text}' is not of the form gain[(baseline)][/units]", lineNo, "adc_gain");
            double g = double.Parse(gm.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(g))
                throw new EcgFormatException(path, $"ADC gain '{gm.Groups[1].Value}' is not a finite number", lineNo, "adc_gain");
            // header.5: a gain that is missing or zero means "uncalibrated", and 200 is assumed.
            if (g != 0) { gain = g; calibrated = true; }
            if (gm.Groups[2].Success) baseline = ParseInt(path, lineNo, "baseline", gm.Groups[2].Value);
            if (gm.Groups[3].Success && gm.Groups[3].Value.Length > 0) units = gm.Groups[3].Value;
        }
        int natural = SignalFormats.NaturalResolution(format);
        int adcRes = OptionalInt(path, lineNo, "adc_res", t, 3, warnings) ?? 0;
        if (adcRes < 0 || adcRes > 32)
        {
            warnings.Add(Warning(path, lineNo, "adc_res", $"ADC resolution {adcRes} bits is outside 0..32; the format's {natural} bits are used"));
            adcRes = 0;
        }
        if (adcRes == 0) adcRes = natural;
        // ADC zero is also the baseline when the gain field gives none: then it is refused like the gain.
        int adcZero = baseline is null
            ? (t.Count > 4 ? ParseInt(path, lineNo, "adc_zero", t[4].Text) : 0)
            : OptionalInt(path, lineNo, "adc_zero", t, 4, warnings) ?? 0;
        // The initial value seeds format 8's differences; elsewhere it only describes the first sample.
        int initVal = format == 8
            ? (t.Count > 5 ? ParseInt(path, lineNo, "init_value", t[5].Text) : adcZero)
            : OptionalInt(path, lineNo, "init_value", t, 5, warnings) ?? adcZero;
        short? checksum = null;
        if (OptionalInt(path, lineNo, "checksum", t, 6, warnings) is { } c)
        {
            if (c < short.MinValue || c > ushort.MaxValue)
                warnings.Add(Warning(path, lineNo, "checksum", $"checksum {c} does not fit in 16 bits; the signal is read unverified"));
            else checksum = unchecked((short)c);
        }
        int blockSize = OptionalInt(path, lineNo, "block_size", t, 7, warnings) ?? 0;
        if (blockSize < 0)
        {
            warnings.Add(Warning(path, lineNo, "block_size", $"block size {blockSize} is negative; read as 0 (not block-structured)"));
            blockSize = 0;
        }
        string description = t.Count > 8 ? line[t[8].Start..].Trim() : $"record {recordName}, signal {index}";
        // The format's extreme samples must map to physical values a float holds: a gain of 1e-40 made every sample
        // infinite, which the pipeline can only read as a flat, disconnected lead.
        var (dMin, dMax) = SignalFormats.Range(format);
        int b0 = baseline ?? adcZero;
        double extreme = Math.Max(Math.Abs((double)dMin - b0), Math.Abs((double)dMax - b0)) * UnitScale.MillivoltsPer(units) / Math.Abs(gain);
        if (!(extreme <= float.MaxValue))
            throw new EcgFormatException(path,
                $"gain {gain.ToString(CultureInfo.InvariantCulture)} with baseline {b0} maps format {format}'s samples to ±{extreme.ToString("G3", CultureInfo.InvariantCulture)}, beyond what a float holds",
                lineNo, "adc_gain");

        return new WfdbSignalSpec
        {
            FileName = file,
            Format = format,
            SamplesPerFrame = spf,
            HasExplicitFrame = fm.Groups[2].Success,
            Skew = skew,
            ByteOffset = offset,
            AdcGain = gain,
            IsCalibrated = calibrated,
            Baseline = baseline ?? adcZero,
            Units = units,
            AdcResolution = adcRes,
            AdcZero = adcZero,
            InitialValue = initVal,
            Checksum = checksum,
            BlockSize = blockSize,
            Description = description,
        };
    }

    /// <summary>An ECG lead's format must hold at least this many millivolts; less is taken for a gain written 1000 times too large.</summary>
    private const double ThousandfoldRangeMillivolts = 0.5;

    /// <summary>
    /// A gain written 1000 times too large (per µV stated as per mV) leaves an ECG lead a range no ECG fits in, and reads
    /// every lead as a flat line: the record gets no opinion. PhysioNet/CinC 2020 and 2021 wrote two of their sources so:
    /// PTB (S0001–S0549, "S0001.mat 16+24 2000000/mV" for PTB's 2000 adu/mV) and St Petersburg INCART (I0001–I0075,
    /// "306000/mV" for 306): the format's whole range spans 0.033 mV and 0.21 mV. A standard ECG lead whose calibrated
    /// voltage gain is a whole multiple of 1000 and leaves its format less than <see cref="ThousandfoldRangeMillivolts"/>
    /// is read with the gain divided by 1000; one warning names the file, the first such line and how many there are. A
    /// small range alone is not enough: CPSC 2021's gains are fitted to each lead's data (data_84_2 lead I:
    /// 111074.4…/mV, 0.59 mV of range).
    /// </summary>
    private static void CorrectThousandfoldGains(string path, List<WfdbSignalSpec> signals, List<int> signalLines, List<string> warnings)
    {
        string? first = null;
        int firstLine = 0, count = 0;
        for (int i = 0; i < signals.Count; i++)
        {
            var s = signals[i];
            // format 8 stores first differences: its sample range does not bound the signal's
            if (s.Format == 8 || !s.IsCalibrated || !UnitScale.IsVoltage(s.Units) || s.AdcGain % 1000 != 0 || !Core.Leads.Leads.TryParse(s.Description, out _)) continue;
            var (dMin, dMax) = SignalFormats.Range(s.Format);
            double range = ((double)dMax - dMin) * UnitScale.MillivoltsPer(s.Units) / Math.Abs(s.AdcGain);
            if (range >= ThousandfoldRangeMillivolts) continue;
            signals[i] = s with { AdcGain = s.AdcGain / 1000 };
            if (count++ == 0)
            {
                firstLine = signalLines[i];
                first = $"gain {s.AdcGain.ToString(CultureInfo.InvariantCulture)}/{s.Units} leaves lead {s.Description} " +
                        $"{range.ToString("G3", CultureInfo.InvariantCulture)} mV of range, less than any ECG; read as " +
                        $"{signals[i].AdcGain.ToString(CultureInfo.InvariantCulture)}/{s.Units}";
            }
        }
        if (count == 0) return;
        string others = count == 1 ? "" : $", and {count - 1} more lead{(count == 2 ? "" : "s")} so";
        warnings.Add(Warning(path, firstLine, "adc_gain", $"{first}{others} (a gain written 1000 times too large, as the CinC 2020/2021 PTB and INCART headers write theirs)"));
    }

    private static (double Fs, double? Counter, double BaseCounter) ParseFs(string path, int lineNo, string text, List<string> warnings)
    {
        var m = FsField().Match(text);
        if (!m.Success)
            throw new EcgFormatException(path, $"'{text}' is not of the form fs[/counter_freq[(base_counter)]]", lineNo, "fs");
        double fs = ParseDouble(path, lineNo, "fs", m.Groups[1].Value);
        if (!(fs > 0) || !double.IsFinite(fs))
            throw new EcgFormatException(path, $"sampling frequency {m.Groups[1].Value} Hz must be positive and finite", lineNo, "fs");
        if (!m.Groups[2].Success) return (fs, null, 0);

        // The counter frequency only relabels time (counter values in annotations); samples do not need it.
        if (!double.TryParse(m.Groups[2].Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double cf)
            || !(cf > 0) || !double.IsFinite(cf))
        {
            warnings.Add(Warning(path, lineNo, "counter_freq", $"counter frequency '{m.Groups[2].Value}' is not a positive number; ignored"));
            return (fs, null, 0);
        }
        double baseCounter = 0;
        if (m.Groups[3].Success && m.Groups[3].Value.Length > 0
            && !double.TryParse(m.Groups[3].Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out baseCounter))
        {
            warnings.Add(Warning(path, lineNo, "base_counter", $"base counter '{m.Groups[3].Value}' is not a number; 0 is used"));
            baseCounter = 0;
        }
        return (fs, cf, baseCounter);
    }

    /// <summary>
    /// The record line's last fields: WFDB writes "hh:mm:ss dd/mm/yyyy"; the PhysioNet/CinC 2021
    /// challenge wrote every header "dd-Mon-yyyy hh:mm:ss" (date first, month as a word). Both
    /// orders and both date forms are read; a token that is neither a time nor a date is ignored
    /// with a warning, as are tokens beyond the two.
    /// </summary>
    private static (TimeSpan? Time, DateOnly? Date) ParseBaseTimeAndDate(string path, int lineNo, List<Token> t, List<string> warnings)
    {
        TimeSpan? time = null;
        DateOnly? date = null;
        for (int i = 4; i < Math.Min(t.Count, 6); i++)
        {
            string text = t[i].Text;
            if (time is null && TryParseTime(text, out var tm)) time = tm;
            else if (date is null && TryParseDate(text, out var d)) date = d;
            else
            {
                string field = i == 4 ? "base_time" : "base_date";
                warnings.Add(Warning(path, lineNo, field,
                    $"'{text}' is neither a time of day (hh:mm:ss) nor a date (dd/mm/yyyy or dd-Mon-yyyy); ignored"));
            }
        }
        if (t.Count > 6)
            warnings.Add(Warning(path, lineNo, "record line", $"{t.Count - 6} field(s) after the base time and date ('{t[6].Text}' …); ignored"));
        return (time, date);
    }

    private static bool TryParseTime(string text, out TimeSpan time)
    {
        // hh:mm:ss[.sss]; WFDB also accepts mm:ss and ss.
        time = default;
        var parts = text.Split(':');
        if (parts.Length > 3) return false;
        double seconds = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) || v < 0
                || (i > 0 && v >= 60))
                return false;
            seconds = seconds * 60 + v;
        }
        if (seconds >= 86400) return false;
        time = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static bool TryParseDate(string text, out DateOnly date)
    {
        var parts = text.Split('/');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int d)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int y)
            && y is >= 1 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m))
        {
            date = new DateOnly(y, m, d);
            return true;
        }
        // "12-May-2020" (CinC 2021); the invariant culture's month abbreviations are English.
        return DateOnly.TryParseExact(text, ["d-MMM-yyyy", "dd-MMM-yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>Field <paramref name="index"/> as an integer; null when absent, or malformed (with a warning).</summary>
    private static int? OptionalInt(string path, int lineNo, string field, List<Token> t, int index, List<string> warnings)
    {
        if (t.Count <= index) return null;
        if (int.TryParse(t[index].Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)) return v;
        warnings.Add(Warning(path, lineNo, field, $"'{t[index].Text}' is not an integer; ignored"));
        return null;
    }

    private static string Warning(string path, int lineNo, string field, string problem) =>
        EcgFormatException.Describe(path, problem, lineNo, field);

    private static int ParseInt(string path, int lineNo, string field, string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new EcgFormatException(path, $"'{text}' is not an integer", lineNo, field);

    private static long ParseLong(string path, int lineNo, string field, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new EcgFormatException(path, $"'{text}' is not an integer", lineNo, field);

    private static double ParseDouble(string path, int lineNo, string field, string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new EcgFormatException(path, $"'{text}' is not a number", lineNo, field);

    private readonly record struct Token(int Start, string Text);

    private static List<Token> Tokens(string line)
    {
        var list = new List<Token>(10);
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            if (i >= line.Length) break;
            int start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            list.Add(new Token(start, line[start..i]));
        }
        return list;
    }
}
