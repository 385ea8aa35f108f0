using System.Numerics;
using System.Runtime.InteropServices;

namespace EcgStream.Signal.Resampling;

/// <summary>
/// Causal polyphase rational resampler (fin → fout by L/M) for planar multichannel blocks.
/// Output n is the anti-aliasing filter at the up-sampled rate evaluated at up-sampled index n·M,
/// which reads inputs ⌊n·M/L⌋ − K + 1 … ⌊n·M/L⌋; it is produced as soon as input ⌊n·M/L⌋ has
/// arrived, so the output depends only on the sample stream, never on how it was cut into blocks.
/// History starts as zeros (or as <see cref="Prime"/> sets it). Buffers grow to the largest block seen and are then reused.
/// </summary>
public sealed class RationalResampler
{
    private readonly ResamplerDesign _design;
    private readonly int _k;
    // Per channel: [K−1 history samples | current block], grown on demand.
    private float[][] _work;
    private long _inputCount;   // inputs consumed so far
    private long _nextInput;    // i0 of the next output: ⌊n·M/L⌋
    private int _phase;         // (n·M) mod L of the next output
    private long _outputCount;

    public RationalResampler(ResamplerDesign design, int channels)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        _design = design;
        _k = design.TapsPerPhase;
        Channels = channels;
        _work = new float[channels][];
        for (int c = 0; c < channels; c++) _work[c] = new float[_k - 1 + 256];
    }

    public RationalResampler(int inputRate, int outputRate, int channels)
        : this(new ResamplerDesign(inputRate, outputRate), channels) { }

    public ResamplerDesign Design => _design;
    public int Channels { get; }
    public long InputCount => _inputCount;
    public long OutputCount => _outputCount;

    /// <summary>Upper bound of the outputs that <paramref name="inputLength"/> more inputs can produce.</summary>
    public int MaxOutputLength(int inputLength) =>
        (int)(((long)inputLength * _design.Up + _design.Down - 1) / _design.Down) + 1;

    /// <summary>
    /// Consumes <paramref name="inputLength"/> samples per channel from planar <paramref name="input"/>
    /// (channel c at [c·inputLength, (c+1)·inputLength)) and writes the outputs they complete into planar
    /// <paramref name="output"/> with plane stride <paramref name="outputStride"/> (≥ <see cref="MaxOutputLength"/>).
    /// Returns the number of output samples per channel.
    /// </summary>
    public int Process(ReadOnlySpan<float> input, int inputLength, Span<float> output, int outputStride)
    {
        if (inputLength < 0) throw new ArgumentOutOfRangeException(nameof(inputLength), inputLength, "must be non-negative");
        if (input.Length < inputLength * Channels)
            throw new ArgumentException($"input holds {input.Length} values, {Channels} channels × {inputLength} needed", nameof(input));
        if (outputStride < MaxOutputLength(inputLength))
            throw new ArgumentException($"output stride {outputStride} < {MaxOutputLength(inputLength)} possible outputs", nameof(outputStride));
        if (output.Length < outputStride * (Channels - 1) + MaxOutputLength(inputLength))
            throw new ArgumentException($"output holds {output.Length} values, too few for {Channels} planes of stride {outputStride}", nameof(output));

        int hist = _k - 1;
        if (_work[0].Length < hist + inputLength)
        {
            int size = Math.Max(hist + inputLength, _work[0].Length * 2);
            for (int c = 0; c < Channels; c++)
            {
                var grown = new float[size];
                _work[c].AsSpan(0, hist).CopyTo(grown);
                _work[c] = grown;
            }
        }

        long available = _inputCount + inputLength;
        int produced = 0;
        if (_design.Up == 1 && _design.Down == 1)
        {
            for (int c = 0; c < Channels; c++)
                input.Slice(c * inputLength, inputLength).CopyTo(output.Slice(c * outputStride, inputLength));
            produced = inputLength;
        }
        else
        {
            for (int c = 0; c < Channels; c++)
                input.Slice(c * inputLength, inputLength).CopyTo(_work[c].AsSpan(hist));

            long i0 = _nextInput;
            int phase = _phase;
            while (i0 < available)
            {
                // The window x[i0−K+1 … i0] starts at work index i0 − inputCount.
                int start = (int)(i0 - _inputCount);
                var coef = _design.Phase(phase);
                for (int c = 0; c < Channels; c++)
                    output[c * outputStride + produced] = Dot(coef, _work[c].AsSpan(start, _k));
                produced++;
                phase += _design.Down;
                i0 += phase / _design.Up;
                phase %= _design.Up;
            }
            _nextInput = i0;
            _phase = phase;

            // Keep the last K−1 inputs as the next block's history.
            for (int c = 0; c < Channels; c++)
                _work[c].AsSpan(inputLength, hist).CopyTo(_work[c]);
        }
        _inputCount = available;
        _outputCount += produced;
        return produced;
    }

    /// <summary>
    /// Fills the history of every channel with a constant (e.g. the stream's first sample), as if it had
    /// always been applied, so a stream far from zero does not start with a step. Only before the first block.
    /// </summary>
    public void Prime(ReadOnlySpan<float> values)
    {
        if (_inputCount != 0) throw new InvalidOperationException("prime the resampler before its first block");
        if (values.Length != Channels) throw new ArgumentException($"{values.Length} values for {Channels} channels", nameof(values));
        for (int c = 0; c < Channels; c++) _work[c].AsSpan(0, _k - 1).Fill(values[c]);
    }

    /// <summary>Clears history and counters (as at construction).</summary>
    public void Reset()
    {
        foreach (var w in _work) Array.Clear(w);
        _inputCount = _nextInput = _outputCount = 0;
        _phase = 0;
    }

    // Fixed summation order (vector lanes then tail, lanes combined in index order), so a given
    // window always yields the same float whatever its memory alignment.
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            for (int v = 0; v < va.Length; v++) acc += va[v] * vb[v];
            i = va.Length * Vector<float>.Count;
            for (int l = 0; l < Vector<float>.Count; l++) sum += acc[l];
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }
}
