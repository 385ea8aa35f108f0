namespace EcgStream.Formats.Wfdb;

/// <summary>
/// WFDB records (header.5, signal.5) and MIT annotation files (annot.5): read, select, write.
/// A record path is the record's path without extension ("data/mitdb/100"); a path ending in
/// .hea (or .dat/.mat/.atr) names the same record.
/// </summary>
public static class Wfdb
{
    /// <summary>Gain WFDB assumes when a header gives none, or 0 (an uncalibrated signal).</summary>
    public const double DefaultGain = 200;

    /// <summary>Sampling frequency WFDB assumes when a header gives none.</summary>
    public const double DefaultFrequency = 250;

    // Headers are small text files; anything larger is not a header.
    private const long MaxHeaderBytes = 1 << 20;

    /// <summary>Reads and validates the header of <paramref name="recordPath"/>.</summary>
    public static WfdbHeader ReadHeader(string recordPath) => RecordFiles.Guard(HeaderPath(recordPath), () => ReadHeaderUnguarded(recordPath));

    private static WfdbHeader ReadHeaderUnguarded(string recordPath)
    {
        string path = HeaderPath(recordPath);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"WFDB header '{path}' not found", path);
        if (info.Length > MaxHeaderBytes)
            throw new EcgFormatException(path, $"file is {info.Length} bytes; a WFDB header is a small text file (at most {MaxHeaderBytes})");
        return WfdbHeaderParser.Parse(path, RecordFiles.ReadAllText(path));
    }

    /// <summary>
    /// Reads frames [<paramref name="sampFrom"/>, <paramref name="sampTo"/>) of the selected
    /// <paramref name="channels"/> (all when null) as physical values (mV for voltage signals),
    /// like wfdb-python's rdrecord. Samples WFDB marks invalid become NaN. Signals with several
    /// samples per frame are averaged to one per frame. Checksums are verified when the whole record is read.
    /// </summary>
    public static Recording ReadRecord(string recordPath, long sampFrom = 0, long? sampTo = null, IReadOnlyList<int>? channels = null) =>
        ReadRecord(ReadHeader(recordPath), sampFrom, sampTo, channels);

    /// <summary>
    /// <see cref="ReadRecord(string, long, long?, IReadOnlyList{int})"/> with a header already read: a
    /// reader that streams a long record block by block parses its header once. Only the selected
    /// frames' bytes are decoded (checksums are verified only when the whole record is selected); a reader that reads the
    /// record in consecutive parts passes one <paramref name="parts"/> to every part (format 8 resumes where the last part
    /// stopped) and verifies its checksums at the end.
    /// </summary>
    public static Recording ReadRecord(WfdbHeader h, long sampFrom = 0, long? sampTo = null, IReadOnlyList<int>? channels = null,
        WfdbPartReads? parts = null) =>
        RecordFiles.Guard(h.Path, () => ReadRecordUnguarded(h, sampFrom, sampTo, channels, parts));

    private static Recording ReadRecordUnguarded(WfdbHeader h, long sampFrom, long? sampTo, IReadOnlyList<int>? channels, WfdbPartReads? parts)
    {
        var (from, to, chans) = Select(h, sampFrom, sampTo, channels);
        long values = 0;
        foreach (int c in chans) values += (to - from) * h.Signals[c].SamplesPerFrame;
        RecordFiles.CheckRead(h.Path, values, field: "sig_len");
        int frames = (int)(to - from);
        var signals = new SignalInfo[chans.Count];
        bool onePerFrame = true;
        for (int i = 0; i < chans.Count; i++)
        {
            signals[i] = ToSignalInfo(h.Signals[chans[i]]);
            onePerFrame &= h.Signals[chans[i]].SamplesPerFrame == 1;
        }
        float[][] samples;
        if (onePerFrame) samples = WfdbSignalReader.ReadPhysical(h, from, to, chans, parts);
        else
        {
            var digital = WfdbSignalReader.Read(h, from, to, chans, parts);
            samples = new float[chans.Count][];
            for (int i = 0; i < chans.Count; i++) samples[i] = ToPhysical(digital[i], frames, h.Signals[chans[i]]);
        }
        return new Recording
        {
            Name = h.RecordName,
            SampleRate = h.SamplingFrequency,
            Signals = signals,
            Samples = samples,
            Comments = h.Comments,
            Warnings = h.Warnings,
        };
    }

    /// <summary>Frames in the record: the header's sig_len, else what its first signal file holds.</summary>
    public static long FrameCount(WfdbHeader header) => WfdbSignalReader.FrameCount(header);

    /// <summary>
    /// Raw ADC values of frames [<paramref name="sampFrom"/>, <paramref name="sampTo"/>) of the
    /// selected channels: result[i] holds frames × samples-per-frame values of channel channels[i].
    /// Checksums are verified when the whole record is read.
    /// </summary>
    public static int[][] ReadDigital(string recordPath, long sampFrom = 0, long? sampTo = null, IReadOnlyList<int>? channels = null)
    {
        var h = ReadHeader(recordPath);
        var (from, to, chans) = Select(h, sampFrom, sampTo, channels);
        return WfdbSignalReader.Read(h, from, to, chans);
    }

    /// <summary>
    /// Writes <paramref name="record"/> into <paramref name="directory"/> as NAME.hea + NAME.dat
    /// (format 16 unless <paramref name="options"/> says otherwise), quantising each channel with
    /// its signal's gain and baseline. NaN samples are written as WFDB's invalid-sample marker.
    /// </summary>
    public static void WriteRecord(string directory, Recording record, WfdbWriteOptions? options = null) =>
        WfdbRecordWriter.Write(directory, record, options ?? new WfdbWriteOptions());

    /// <summary>Reads the annotation file RECORD.<paramref name="extension"/> ("atr", "qrs", …).</summary>
    public static IReadOnlyList<Annotation> ReadAnnotations(string recordPath, string extension = "atr")
    {
        string path = RecordBase(recordPath) + "." + extension;
        if (Directory.Exists(path)) throw new EcgFormatException(path, "is a directory, not an annotation file");
        if (!File.Exists(path)) throw new FileNotFoundException($"annotation file '{path}' not found", path);
        return RecordFiles.Guard(path, () => AnnotationReader.Read(path));
    }

    /// <summary>
    /// Writes RECORD.<paramref name="extension"/> in MIT format. Annotations must be in time order,
    /// with codes 0..49 and Latin-1 aux strings of at most 255 characters.
    /// </summary>
    public static void WriteAnnotations(string recordPath, string extension, IReadOnlyList<Annotation> annotations)
    {
        if (string.IsNullOrWhiteSpace(extension) || extension.Contains('.') || extension.Contains('/'))
            throw new ArgumentException($"annotator extension '{extension}' must be a plain word such as \"atr\"", nameof(extension));
        var bytes = AnnotationWriter.Encode(annotations);
        string path = RecordBase(recordPath) + "." + extension;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Decodes MIT-format annotation bytes; <paramref name="sourceName"/> names them in errors.</summary>
    public static IReadOnlyList<Annotation> ParseAnnotations(ReadOnlySpan<byte> data, string sourceName = "<memory>") =>
        AnnotationReader.Parse(sourceName, data);

    /// <summary>Encodes annotations in MIT format (what <see cref="WriteAnnotations"/> writes).</summary>
    public static byte[] EncodeAnnotations(IReadOnlyList<Annotation> annotations) => AnnotationWriter.Encode(annotations);

    /// <summary>The record's path without extension: "x/100.hea" → "x/100".</summary>
    public static string RecordBase(string recordPath)
    {
        string ext = Path.GetExtension(recordPath);
        return ext is ".hea" or ".dat" or ".mat" or ".atr" ? recordPath[..^ext.Length] : recordPath;
    }

    private static string HeaderPath(string recordPath) => RecordBase(recordPath) + ".hea";

    internal static SignalInfo ToSignalInfo(WfdbSignalSpec spec) => new()
    {
        Name = spec.Description,
        Units = spec.Units,
        AdcGain = spec.AdcGain,
        Baseline = spec.Baseline,
        AdcZero = spec.AdcZero,
        AdcResolution = spec.AdcResolution,
        Format = spec.Format,
        InitialValue = spec.InitialValue,
        Checksum = spec.Checksum,
        BlockSize = spec.BlockSize,
    };

    private static float[] ToPhysical(int[] digital, int frames, WfdbSignalSpec spec)
    {
        var result = new float[frames];
        double scale = UnitScale.MillivoltsPer(spec.Units) / spec.AdcGain;
        int baseline = spec.Baseline;
        int invalid = SignalFormats.InvalidSample(spec.Format) ?? int.MinValue;
        int spf = spec.SamplesPerFrame;
        if (spf == 1)
        {
            for (int i = 0; i < frames; i++)
            {
                int d = digital[i];
                result[i] = d == invalid ? float.NaN : (float)(((long)d - baseline) * scale);
            }
            return result;
        }
        // Several samples per frame: their mean, as wfdb-python's smooth_frames; NaN if any is invalid.
        for (int i = 0; i < frames; i++)
        {
            long sum = 0;
            bool bad = false;
            for (int j = 0; j < spf; j++)
            {
                int d = digital[i * spf + j];
                if (d == invalid) bad = true;
                sum += d;
            }
            result[i] = bad ? float.NaN : (float)(((double)sum / spf - baseline) * scale);
        }
        return result;
    }

    private static (long From, long To, IReadOnlyList<int> Channels) Select(WfdbHeader h, long sampFrom, long? sampTo, IReadOnlyList<int>? channels)
    {
        if (h.Signals.Count == 0)
            throw new EcgFormatException(h.Path, "the record has no signals", field: "n_sig");
        WfdbSignalReader.Validate(h);
        long n = WfdbSignalReader.FrameCount(h);
        long to = sampTo ?? n;
        if (sampFrom < 0 || sampFrom > n)
            throw new ArgumentOutOfRangeException(nameof(sampFrom), sampFrom, $"record '{h.RecordName}' has {n} samples");
        if (to < sampFrom || to > n)
            throw new ArgumentOutOfRangeException(nameof(sampTo), sampTo, $"must lie in [{sampFrom}, {n}] for record '{h.RecordName}'");
        if (to - sampFrom > int.MaxValue)
        {
            if (sampTo is null)
                throw new EcgFormatException(h.Path, $"the record has {n} samples per signal, more than one read can hold; read it in parts with sampFrom/sampTo", field: "sig_len");
            throw new ArgumentOutOfRangeException(nameof(sampTo), sampTo, "select at most 2^31-1 samples at once");
        }
        IReadOnlyList<int> chans;
        if (channels is null)
        {
            var all = new int[h.Signals.Count];
            for (int i = 0; i < all.Length; i++) all[i] = i;
            chans = all;
        }
        else
        {
            foreach (int c in channels)
                if (c < 0 || c >= h.Signals.Count)
                    throw new ArgumentOutOfRangeException(nameof(channels), c, $"record '{h.RecordName}' has channels 0..{h.Signals.Count - 1}");
            chans = channels;
        }
        return (sampFrom, to, chans);
    }
}
