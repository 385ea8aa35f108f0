using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Signal.Preprocessing;

namespace EcgStream.Signal.Windowing;

/// <summary>
/// A whole record cut into contract-v1 windows with the runtime's own preprocessing, the one
/// implementation training (labelled windows) and <c>ecgstream classify</c> (scores per record) share:
/// <see cref="EcgPreprocessor.ProcessRecord"/> over the whole record (the causal filters run as in a
/// stream), the first <c>warm-up</c> seconds of output discarded while the filters settle, then a window
/// of <see cref="ModelContract.WindowSamples"/> every <c>hop</c>, each standardised per lead by
/// <see cref="WindowStandardiser"/>. Windows are filled on demand (<see cref="TryCopy"/>), so a long
/// record costs its 250 Hz planes, not all its windows at once.
/// </summary>
public sealed class RecordWindows
{
    /// <summary>Values of one window: 12 leads × <see cref="ModelContract.WindowSamples"/>, lead-major.</summary>
    public const int WindowValues = ModelContract.LeadCount * ModelContract.WindowSamples;

    private readonly float[][] _planes;
    private readonly int _warmupSamples;
    private readonly int _hopSamples;

    private readonly IReadOnlyList<(long Start, long End)> _unreadable;
    // per whole second of the input, the frames in which every channel is NaN or infinite (WFDB's invalid marker, a
    // lead-off): the preprocessor holds the last value over them, so the planes alone cannot tell them from a flat line
    private readonly int[] _invalidPerSecond;
    // per whole second of the input, the leads (bit = Lead) the stream's raw checks call disconnected: flat, railed or
    // with no finite sample (RawExtremes.Judge). The stream leaves such a lead out of every window's
    // mask that touches the second; so do these windows.
    private readonly ushort[] _disconnectedPerSecond;
    private readonly double _inputRate, _inputSeconds;

    private RecordWindows(float[][] planes, LeadSet leads, double delaySeconds, int warmupSamples, int hopSamples, IReadOnlyList<Qrs.QrsBeat>? beats,
        IReadOnlyList<(long Start, long End)>? unreadable, int[] invalidPerSecond, ushort[] disconnectedPerSecond, double inputRate, double inputSeconds)
    {
        _invalidPerSecond = invalidPerSecond;
        _disconnectedPerSecond = disconnectedPerSecond;
        _inputRate = inputRate;
        _inputSeconds = inputSeconds;
        Beats = beats;
        _unreadable = unreadable ?? [];
        _planes = planes;
        Leads = leads;
        DelaySeconds = delaySeconds;
        _warmupSamples = warmupSamples;
        _hopSamples = hopSamples;
        int length = planes.Length == 0 ? 0 : planes[0].Length;
        SamplesAfterWarmup = Math.Max(0, length - warmupSamples);
        Count = length < warmupSamples + ModelContract.WindowSamples ? 0 : (length - warmupSamples - ModelContract.WindowSamples) / hopSamples + 1;
    }

    /// <summary>
    /// Preprocesses <paramref name="channels"/> (one per lead of <paramref name="leads"/>, in lead order,
    /// at <paramref name="sampleRate"/>) and lays out the windows.
    /// </summary>
    /// <param name="detectBeats">Also find the record's beats as a stream would (<see cref="Beats"/>, for
    /// <see cref="RhythmFeatures"/>): the record then goes through the stream's whole chain once
    /// (<see cref="Pipeline.RecordBeats.Run"/>), which gives the same planes as the preprocessor alone.</param>
    public static RecordWindows Cut(IReadOnlyList<float[]> channels, double sampleRate, LeadSet leads,
        double hopSeconds = 9, double warmupSeconds = 1, PreprocessorOptions? options = null, bool detectBeats = false)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (leads.Count == 0) throw new ArgumentException("no lead to window", nameof(leads));
        if (!(warmupSeconds >= 0) || !double.IsFinite(warmupSeconds))
            throw new ArgumentOutOfRangeException(nameof(warmupSeconds), warmupSeconds, "warm-up must be a finite number of seconds ≥ 0");
        int hop = (int)Math.Round(hopSeconds * ModelContract.SampleRate);
        if (!double.IsFinite(hopSeconds) || hop < 1)
            throw new ArgumentOutOfRangeException(nameof(hopSeconds), hopSeconds, "hop must be at least one 250 Hz sample");
        var pre = new EcgPreprocessor(sampleRate, leads, options);
        if (pre.DelaySeconds < 0) throw new InvalidOperationException("negative preprocessor delay");
        float[][] planes;
        List<Qrs.QrsBeat>? beats = null;
        List<(long Start, long End)>? unreadable = null;
        if (detectBeats) (planes, beats, unreadable) = Pipeline.RecordBeats.Run(channels, sampleRate, leads, options);
        else planes = EcgPreprocessor.ProcessRecord(channels, sampleRate, leads, options);
        return new RecordWindows(planes, leads, pre.DelaySeconds, (int)Math.Round(warmupSeconds * ModelContract.SampleRate), hop, beats, unreadable,
            InvalidPerSecond(channels, sampleRate), DisconnectedPerSecond(channels, sampleRate, leads), sampleRate,
            (channels.Count == 0 ? 0 : channels[0].Length) / sampleRate);
    }

    private static ushort[] DisconnectedPerSecond(IReadOnlyList<float[]> channels, double sampleRate, LeadSet leads)
    {
        int length = channels.Count == 0 ? 0 : channels[0].Length;
        int perSecond = (int)Math.Round(sampleRate);
        var flags = new ushort[length / perSecond];   // whole seconds only, as the stream's epochs
        for (int c = 0; c < channels.Count && c < leads.Count; c++)
        {
            ushort bit = (ushort)(1 << (int)leads[c]);
            var x = channels[c];
            for (int sec = 0; sec < flags.Length; sec++)
            {
                var second = Quality.RawExtremes.Empty;
                second.Add(x.AsSpan(sec * perSecond, perSecond));
                if (second.Judge(perSecond, Quality.QualityOptions.Default) != Quality.LeadProblem.None) flags[sec] |= bit;
            }
        }
        return flags;
    }

    /// <summary>
    /// The present leads the stream's window ring would keep for 250 Hz output samples [start, start + count): the stream
    /// judges quality in 1 s epochs of its 250 Hz output, each taking the raw flags of the newest input second complete
    /// once the epoch's last output sample exists (<see cref="Quality.SignalQualityMonitor"/>: up to one second of lag at
    /// rates other than 250 Hz), and a window leaves out a lead any epoch from the one holding its first sample up to its
    /// last whole epoch marked (an epoch that ends after the window is not yet judged when it is cut).
    /// </summary>
    private LeadSet UsableLeads(int start, int count)
    {
        const int epoch = ModelContract.SampleRate;
        ushort off = 0;
        for (long k = start / epoch; epoch * (k + 1) <= start + count; k++)
        {
            long second = Quality.SignalQualityMonitor.RawEpochJudgedWith(epoch * (k + 1), _inputRate, epoch);
            if (second >= 0 && second < _disconnectedPerSecond.Length) off |= _disconnectedPerSecond[second];
        }
        return new LeadSet((ushort)(Leads.Mask & ~off));
    }

    /// <summary>A window (or a padded record's real part) with more than this share of invalid input is not scored.</summary>
    public const double MaxInvalidShare = 0.5;

    private static int[] InvalidPerSecond(IReadOnlyList<float[]> channels, double sampleRate)
    {
        int length = channels.Count == 0 ? 0 : channels[0].Length;
        int perSecond = (int)Math.Round(sampleRate);
        var counts = new int[(length + perSecond - 1) / perSecond];
        for (int i = 0; i < length; i++)
        {
            bool invalid = true;
            for (int c = 0; c < channels.Count && invalid; c++) invalid = !float.IsFinite(channels[c][i]);
            if (invalid) counts[i / perSecond]++;
        }
        return counts;
    }

    /// <summary>Share of the input frames over 250 Hz output samples [start, start + count) in which every channel is invalid.</summary>
    private double InvalidShare(int start, int count)
    {
        if (_invalidPerSecond.Length == 0 || count <= 0) return 0;
        double from = Math.Max(0, start / (double)ModelContract.SampleRate - DelaySeconds);
        double to = Math.Min(_inputSeconds, Math.Max(from, (start + count) / (double)ModelContract.SampleRate - DelaySeconds));
        if (!(to > from)) return 0;
        // each second's invalid frames weighted by how much of that second the span covers (taken as spread evenly in it)
        double invalid = 0;
        for (int sec = (int)Math.Floor(from); sec < _invalidPerSecond.Length && sec < to; sec++)
        {
            double secondLength = Math.Min(1, _inputSeconds - sec);
            double covered = Math.Min(to, sec + 1) - Math.Max(from, sec);
            invalid += _invalidPerSecond[sec] * (covered / secondLength);
        }
        return invalid / ((to - from) * _inputRate);
    }

    /// <summary>Seconds a record must last to give at least one window after <paramref name="warmupSeconds"/> of warm-up.</summary>
    public static double MinimumSeconds(double warmupSeconds = 1) =>
        warmupSeconds + (double)ModelContract.WindowSamples / ModelContract.SampleRate;

    /// <summary>The leads present (the others are zero in every window).</summary>
    public LeadSet Leads { get; }

    /// <summary>The preprocessor's group delay: output sample <c>k</c> stands for record time <c>k/250 − DelaySeconds</c>.</summary>
    public double DelaySeconds { get; }

    /// <summary>How many windows fit after the warm-up.</summary>
    public int Count { get; }

    /// <summary>Samples of 250 Hz output after the warm-up (what <see cref="TryCopyPadded"/> holds).</summary>
    public int SamplesAfterWarmup { get; }

    /// <summary>Index of window <paramref name="index"/>'s first sample in the 250 Hz output.</summary>
    public int Start(int index) =>
        (uint)index < (uint)Count ? _warmupSamples + index * _hopSamples
                                  : throw new ArgumentOutOfRangeException(nameof(index), index, $"window index must be 0…{Count - 1}");

    /// <summary>The record's beats as a stream detects them; null unless cut with <c>detectBeats</c>.</summary>
    public IReadOnlyList<Qrs.QrsBeat>? Beats { get; }

    /// <summary>
    /// The record's heart rate from its <see cref="Beats"/> (<see cref="Rhythms.RecordHeartRate"/>: the median RR of the
    /// intervals no pause and no unreadable stretch touches; NaN when those cover less than half the record).
    /// </summary>
    public double HeartRateBpm()
    {
        var beats = Beats ?? throw new InvalidOperationException("the heart rate needs the record's beats: cut it with detectBeats");
        var peaks = new long[beats.Count];
        for (int i = 0; i < peaks.Length; i++) peaks[i] = beats[i].Sample;
        long length = _planes.Length == 0 ? 0 : _planes[0].Length;
        return Rhythms.RecordHeartRate.Bpm(peaks, _unreadable, length, ModelContract.SampleRate, Rhythms.RuleOptions.Default.PauseSeconds);
    }

    /// <summary>
    /// The rhythm features (contract v2 <c>rhythm</c>) of every window from the record's <see cref="Beats"/>: row i,
    /// <see cref="Rhythms.RhythmFeatures.Count"/> values, at window i's end, as the stream computes them. A record shorter
    /// than one window gets one row, at the end of its padded window's real part (<see cref="TryCopyPadded"/>).
    /// </summary>
    public float[] RhythmFeatures()
    {
        var beats = Beats ?? throw new InvalidOperationException("rhythm features need the record's beats: cut it with detectBeats");
        int rows = Math.Max(1, Count);
        var ends = new long[rows];
        for (int i = 0; i < rows; i++) ends[i] = Count > 0 ? Start(i) + ModelContract.WindowSamples : _warmupSamples + SamplesAfterWarmup;
        var features = new float[rows * Rhythms.RhythmFeatures.Count];
        Rhythms.RhythmContext.ComputeForWindows(beats, ends, features, ModelContract.SampleRate);
        return features;
    }

    /// <summary>Record time (seconds, the preprocessor's delay removed) at which window <paramref name="index"/> starts.</summary>
    public double StartSeconds(int index) => (double)Start(index) / ModelContract.SampleRate - DelaySeconds;

    /// <summary>
    /// Writes window <paramref name="index"/> into <paramref name="destination"/> (12 × 2250, absent leads
    /// zero) and standardises it; <paramref name="usable"/> gets the leads of its mask: the present ones the stream's raw
    /// checks call connected over the whole window (a flat, railed or missing lead is zero and left out, as the stream
    /// leaves it out; empty when none is, and the stream would then have no opinion). Returns false, leaving the
    /// destination unstandardised, when the window holds a NaN or infinite sample, or when more than
    /// <see cref="MaxInvalidShare"/> of its input was invalid in every channel (held flat by the preprocessor; the stream
    /// gives such a window no readable lead): the caller skips it.
    /// </summary>
    public bool TryCopy(int index, Span<float> destination, out LeadSet usable)
    {
        usable = LeadSet.None;
        if (destination.Length != WindowValues)
            throw new ArgumentException($"destination holds {destination.Length} values, {WindowValues} expected", nameof(destination));
        int start = Start(index);
        if (InvalidShare(start, ModelContract.WindowSamples) > MaxInvalidShare) return false;
        destination.Clear();
        int p = 0;
        foreach (var lead in Leads)
            _planes[p++].AsSpan(start, ModelContract.WindowSamples).CopyTo(destination.Slice((int)lead * ModelContract.WindowSamples, ModelContract.WindowSamples));
        foreach (var v in destination) if (!float.IsFinite(v)) return false;
        usable = UsableLeads(start, ModelContract.WindowSamples);
        WindowStandardiser.Standardise(destination, ModelContract.WindowSamples, usable);
        return true;
    }

    /// <summary>
    /// For a record too short for one window (<see cref="Count"/> 0): writes all its output after the
    /// warm-up (<see cref="SamplesAfterWarmup"/> samples per lead) at the start of
    /// <paramref name="destination"/>, standardises each present lead over those real samples only, and
    /// leaves the rest of the window zero. Zero after standardisation is the lead's mean, i.e. a flat
    /// isoelectric tail: the model sees baseline between every pair of beats, while repeating the record
    /// instead would splice two beats at an arbitrary seam and invent one RR interval, exactly the
    /// irregularity an AF detector reads. Standardising before padding keeps the real part at mean 0,
    /// std 1 as in every full window (the zeros would otherwise shrink its std and inflate its beats).
    /// Returns false when the real part holds a NaN or infinite sample, or is mostly invalid input; <paramref name="usable"/>
    /// as for <see cref="TryCopy"/>, over the real part (a lead left out is zero).
    /// </summary>
    public bool TryCopyPadded(Span<float> destination, out LeadSet usable)
    {
        usable = LeadSet.None;
        if (destination.Length != WindowValues)
            throw new ArgumentException($"destination holds {destination.Length} values, {WindowValues} expected", nameof(destination));
        int real = SamplesAfterWarmup;
        if (Count > 0 || real == 0)
            throw new InvalidOperationException($"padding is for a record shorter than one window with some signal after the warm-up ({real} samples, {Count} windows)");
        if (InvalidShare(_warmupSamples, real) > MaxInvalidShare) return false;
        destination.Clear();
        var connected = UsableLeads(_warmupSamples, real);
        int p = 0;
        foreach (var lead in Leads)
        {
            var target = destination.Slice((int)lead * ModelContract.WindowSamples, real);
            _planes[p++].AsSpan(_warmupSamples, real).CopyTo(target);
            foreach (var v in target) if (!float.IsFinite(v)) { destination.Clear(); return false; }
            if (connected.Contains(lead)) WindowStandardiser.StandardiseLead(target);
            else target.Clear();
        }
        usable = connected;
        return true;
    }

    /// <summary>
    /// A record's probability per class from its windows' probabilities: the median (mean of the two middle ones for an
    /// even count; NaN stays NaN for a class the model does not score). <c>classify</c> decides records with it and
    /// training chooses record-level thresholds on it, so both read a record the same way. The median reaches a
    /// threshold only when about half the windows do: one noisy window among many quiet ones cannot flag a record.
    /// </summary>
    public static float[] FoldMedian(IReadOnlyList<float[]> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0) throw new ArgumentException("no window to fold", nameof(windows));
        var result = new float[windows[0].Length];
        var column = new float[windows.Count];
        for (int c = 0; c < result.Length; c++)
        {
            bool nan = false;
            for (int w = 0; w < windows.Count; w++) { column[w] = windows[w][c]; nan |= float.IsNaN(column[w]); }
            if (nan) { result[c] = float.NaN; continue; }
            Array.Sort(column);
            int mid = column.Length / 2;
            result[c] = column.Length % 2 == 1 ? column[mid] : (column[mid - 1] + column[mid]) / 2;
        }
        return result;
    }
}
