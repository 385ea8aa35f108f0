using System.Globalization;
using System.Text.RegularExpressions;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Parses WFDB header text (header.5): a record line, one line per signal, '#' comment lines.
/// Every rejection names the file, the line and the field.
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
        var signals = new List<WfdbSignalSpec>();
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
                if (t.Count > 2) (fs, counterFreq, baseCounter) = ParseFs(path, lineNo, t[2].Text);
                if (t.Count > 3)
                {
                    long n = ParseLong(path, lineNo, "sig_len", t[3].Text);
                    if (n < 0) throw new EcgFormatException(path, $"sample count {n} is negative", lineNo, "sig_len");
                    nsamp = n == 0 ? null : n;
                }
                if (t.Count > 4) baseTime = ParseTime(path, lineNo, t[4].Text);
                if (t.Count > 5) baseDate = ParseDate(path, lineNo, t[5].Text);
                continue;
            }
            signals.Add(ParseSignal(path, lineNo, trimmed, recordName, signals.Count));
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
        };
    }

    private static WfdbSignalSpec ParseSignal(string path, int lineNo, string line, string recordName, int index)
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
        int adcRes = t.Count > 3 ? ParseInt(path, lineNo, "adc_res", t[3].Text) : 0;
        if (adcRes == 0) adcRes = SignalFormats.NaturalResolution(format);
        if (adcRes < 0 || adcRes > 32)
            throw new EcgFormatException(path, $"ADC resolution {adcRes} bits is outside 0..32", lineNo, "adc_res");
        int adcZero = t.Count > 4 ? ParseInt(path, lineNo, "adc_zero", t[4].Text) : 0;
        int initVal = t.Count > 5 ? ParseInt(path, lineNo, "init_value", t[5].Text) : adcZero;
        short? checksum = null;
        if (t.Count > 6)
        {
            int c = ParseInt(path, lineNo, "checksum", t[6].Text);
            if (c < short.MinValue || c > ushort.MaxValue)
                throw new EcgFormatException(path, $"checksum {c} does not fit in 16 bits", lineNo, "checksum");
            checksum = unchecked((short)c);
        }
        int blockSize = t.Count > 7 ? ParseInt(path, lineNo, "block_size", t[7].Text) : 0;
        if (blockSize < 0)
            throw new EcgFormatException(path, $"block size {blockSize} is negative", lineNo, "block_size");
        string description = t.Count > 8 ? line[t[8].Start..].Trim() : $"record {recordName}, signal {index}";

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

    private static (double Fs, double? Counter, double BaseCounter) ParseFs(string path, int lineNo, string text)
    {
        var m = FsField().Match(text);
        if (!m.Success)
            throw new EcgFormatException(path, $"'{text}' is not of the form fs[/counter_freq[(base_counter)]]", lineNo, "fs");
        double fs = ParseDouble(path, lineNo, "fs", m.Groups[1].Value);
        if (!(fs > 0) || !double.IsFinite(fs))
            throw new EcgFormatException(path, $"sampling frequency {m.Groups[1].Value} Hz must be positive and finite", lineNo, "fs");
        double? counter = null;
        double baseCounter = 0;
        if (m.Groups[2].Success)
        {
            double cf = ParseDouble(path, lineNo, "counter_freq", m.Groups[2].Value);
            if (!(cf > 0) || !double.IsFinite(cf))
                throw new EcgFormatException(path, $"counter frequency {m.Groups[2].Value} must be positive and finite", lineNo, "counter_freq");
            counter = cf;
            if (m.Groups[3].Success && m.Groups[3].Value.Length > 0)
                baseCounter = ParseDouble(path, lineNo, "base_counter", m.Groups[3].Value);
        }
        return (fs, counter, baseCounter);
    }

    private static TimeSpan ParseTime(string path, int lineNo, string text)
    {
        // hh:mm:ss[.sss]; WFDB also accepts mm:ss and ss.
        var parts = text.Split(':');
        if (parts.Length is < 1 or > 3)
            throw new EcgFormatException(path, $"base time '{text}' is not hh:mm:ss", lineNo, "base_time");
        double seconds = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) || v < 0
                || (i > 0 && v >= 60))
                throw new EcgFormatException(path, $"base time '{text}' is not hh:mm:ss", lineNo, "base_time");
            seconds = seconds * 60 + v;
        }
        if (seconds >= 86400)
            throw new EcgFormatException(path, $"base time '{text}' is not a time of day", lineNo, "base_time");
        return TimeSpan.FromSeconds(seconds);
    }

    private static DateOnly ParseDate(string path, int lineNo, string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int d)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int y)
            && y is >= 1 and <= 9999 && m is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, m))
            return new DateOnly(y, m, d);
        throw new EcgFormatException(path, $"base date '{text}' is not a valid dd/mm/yyyy date", lineNo, "base_date");
    }

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
