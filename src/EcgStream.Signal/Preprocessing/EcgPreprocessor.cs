using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Signal.Filters;
using EcgStream.Signal.Resampling;

namespace EcgStream.Signal.Preprocessing;

/// <summary>
/// The one preprocessing implementation shared by training and runtime (DESIGN.md, model contract v1):
/// non-finite samples held at the last finite value (0 before the first) → rational resampling to 250 Hz → causal
/// Butterworth band-pass → optional mains notch, every filter starting in the steady state of the stream's
/// first sample. Stateful per stream; blocks must be contiguous.
/// <see cref="ProcessRecord"/> runs the same code over a whole record for training.
/// </summary>
public sealed class EcgPreprocessor
{
    private readonly RationalResampler _resampler;
    private readonly SosFilter _bandPass;
    private readonly SosFilter? _notch;
    private readonly float[] _lastFinite;
    private float[] _clean = new float[256];
    private float[] _strided = new float[256];
    private float[] _output = new float[256];
    private long _expectedStart = long.MinValue;
    private long _outputOrigin;
    private bool _primed;

    /// <summary>Highest input rate the resampler's polyphase design is built for.</summary>
    public const int MaxInputRate = 100_000;

    /// <summary>
    /// Null when <paramref name="inputRate"/> can be preprocessed; otherwise why not, in one line. The rational
    /// resampler works between whole numbers of Hz: a fractional rate (e.g. 499.5 Hz) is not taken.
    /// </summary>
    public static string? RateProblem(double inputRate) =>
        inputRate > 0 && double.IsFinite(inputRate) && inputRate == Math.Round(inputRate) && inputRate <= MaxInputRate
            ? null
            : $"sample rate {inputRate.ToString(System.Globalization.CultureInfo.InvariantCulture)} Hz is not a whole number of Hz in 1..{MaxInputRate}";

    public EcgPreprocessor(double inputRate, LeadSet leads, PreprocessorOptions? options = null)
    {
        Options = options ?? PreprocessorOptions.Contract;
        if (RateProblem(inputRate) is { } why) throw new ArgumentOutOfRangeException(nameof(inputRate), inputRate, why);
        if (leads.IsEmpty) throw new ArgumentException("a stream needs at least one lead", nameof(leads));
        InputRate = inputRate;
        Leads = leads;
        int channels = leads.Count;
        var rs = new ResamplerDesign((int)inputRate, PreprocessorOptions.ContractSampleRate, Options.ResamplerAttenuationDb);
        _resampler = new RationalResampler(rs, channels);
        BandPass = FilterDesign.ButterworthBandPass(Options.BandPassOrder, Options.LowCutHz, Options.HighCutHz, OutputRate);
        _bandPass = new SosFilter(BandPass, channels);
        if (Options.Notch != MainsNotch.None)
        {
            NotchFilter = FilterDesign.Notch((int)Options.Notch, Options.NotchQ, OutputRate);
            _notch = new SosFilter(NotchFilter, channels);
        }
        _lastFinite = new float[channels];
        // Linear-phase resampler delay plus the IIR group delay near the QRS's dominant frequency.
        DelaySeconds = rs.GroupDelaySeconds + BandPass.GroupDelaySamples(10) / OutputRate
            + (NotchFilter?.GroupDelaySamples(10) ?? 0) / OutputRate;
    }

    public PreprocessorOptions Options { get; }
    public double InputRate { get; }
    public LeadSet Leads { get; }
    public double OutputRate => PreprocessorOptions.ContractSampleRate;
    public SosDesign BandPass { get; }
    public SosDesign? NotchFilter { get; }
    public ResamplerDesign Resampler => _resampler.Design;
    /// <summary>
    /// How far the output lags the input for QRS-band content (resampler delay, exact; plus the IIR
    /// group delay at 10 Hz). Output sample n shows input time n/250 − DelaySeconds.
    /// </summary>
    public double DelaySeconds { get; }
    /// <summary>Non-finite input samples replaced so far (held at the lead's last finite value).</summary>
    public long NonFiniteSamples { get; private set; }

    /// <summary>
    /// Preprocesses one block. The result lies over this preprocessor's own buffer and is valid until
    /// the next call. Its <c>StartSample</c> counts 250 Hz samples from the stream origin.
    /// </summary>
    public SampleBlock Process(in SampleBlock input)
    {
        if (input.Leads != Leads)
            throw new ArgumentException($"block {input} carries leads {input.Leads}, this stream was set up for {Leads}", nameof(input));
        if (input.SampleRate != InputRate)
            throw new ArgumentException($"block {input} is at {input.SampleRate} Hz, this stream was set up for {InputRate} Hz", nameof(input));
        bool first = _expectedStart == long.MinValue;
        if (first)
        {
            _outputOrigin = (long)Math.Floor(input.StartSample * OutputRate / InputRate);
        }
        else if (input.StartSample != _expectedStart)
        {
            throw new ArgumentException(
                $"block {input} starts at sample {input.StartSample}, expected {_expectedStart}: fill or split gaps before preprocessing", nameof(input));
        }
        _expectedStart = input.EndSample;

        int n = input.Length, channels = Leads.Count;
        EnsureCapacity(ref _clean, n * channels);
        var src = input.Samples.Span;
        for (int c = 0; c < channels; c++)
        {
            var from = src.Slice(c * n, n);
            var to = _clean.AsSpan(c * n, n);
            float last = _lastFinite[c];
            for (int i = 0; i < n; i++)
            {
                float v = from[i];
                if (float.IsFinite(v)) last = v;
                else { v = last; NonFiniteSamples++; }
                to[i] = v;
            }
            _lastFinite[c] = last;
        }

        if (!_primed && n > 0)
        {
            Prime(n);
            _primed = true;
        }

        long outStart = _outputOrigin + _resampler.OutputCount;
        int stride = _resampler.MaxOutputLength(n);
        EnsureCapacity(ref _strided, stride * channels);
        int produced = _resampler.Process(_clean.AsSpan(0, n * channels), n, _strided, stride);

        EnsureCapacity(ref _output, produced * channels);
        for (int c = 0; c < channels; c++)
        {
            var plane = _output.AsSpan(c * produced, produced);
            _strided.AsSpan(c * stride, produced).CopyTo(plane);
            _bandPass.Process(c, plane);
            _notch?.Process(c, plane);
        }
        return new SampleBlock(input.StreamId, outStart, OutputRate, Leads, produced,
            _output.AsMemory(0, produced * channels), input.LeadOff, input.Sequence, input.Unreadable);
    }

    // Start every filter in the steady state of the first sample, as if the stream had always sat at that level
    // (real recordings carry DC offsets of several mV that would otherwise ring through the band-pass for seconds).
    private void Prime(int n)
    {
        Span<float> first = stackalloc float[Leads.Count];
        for (int c = 0; c < first.Length; c++) first[c] = _clean[c * n];
        _resampler.Prime(first);
        for (int c = 0; c < first.Length; c++)
        {
            _bandPass.Prime(c, first[c]);
            _notch?.Prime(c, _bandPass.Design.Magnitude(0) * first[c]);
        }
    }

    /// <summary>
    /// Training's path: preprocesses whole channels (plane order of <paramref name="leads"/>) through
    /// <see cref="Process"/> in blocks, so the result equals what a stream would have produced.
    /// Returns one 250 Hz array per channel.
    /// </summary>
    public static float[][] ProcessRecord(IReadOnlyList<float[]> channels, double sampleRate, LeadSet leads,
        PreprocessorOptions? options = null, int blockSize = 4096)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count != leads.Count)
            throw new ArgumentException($"{channels.Count} channels given for {leads.Count} leads ({leads})", nameof(channels));
        int length = channels.Count == 0 ? 0 : channels[0].Length;
        for (int c = 1; c < channels.Count; c++)
            if (channels[c].Length != length)
                throw new ArgumentException($"channel {c} has {channels[c].Length} samples, channel 0 has {length}", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);

        var pre = new EcgPreprocessor(sampleRate, leads, options);
        var result = new float[channels.Count][];
        var outLength = (int)(((long)length * PreprocessorOptions.ContractSampleRate + (long)sampleRate - 1) / (long)sampleRate) + 1;
        for (int c = 0; c < result.Length; c++) result[c] = new float[outLength];
        var block = new float[blockSize * channels.Count];
        int written = 0;
        for (int start = 0; start < length; start += blockSize)
        {
            int n = Math.Min(blockSize, length - start);
            for (int c = 0; c < channels.Count; c++) channels[c].AsSpan(start, n).CopyTo(block.AsSpan(c * n, n));
            var outBlock = pre.Process(new SampleBlock("record", start, sampleRate, leads, n, block.AsMemory(0, n * channels.Count)));
            for (int c = 0; c < channels.Count; c++) outBlock.Plane(c).CopyTo(result[c].AsSpan(written));
            written += outBlock.Length;
        }
        for (int c = 0; c < result.Length; c++) Array.Resize(ref result[c], written);
        return result;
    }

    private static void EnsureCapacity(ref float[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new float[Math.Max(size, buffer.Length * 2)];
    }
}
