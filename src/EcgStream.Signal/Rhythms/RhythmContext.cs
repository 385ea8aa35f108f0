using EcgStream.Signal.Qrs;

namespace EcgStream.Signal.Rhythms;

/// <summary>
/// The beats of one stream's last <see cref="RhythmFeatures.ContextSeconds"/>, as the QRS detector reports them,
/// turned into <see cref="RhythmFeatures"/> at a window's end. The stream (<see cref="Pipeline.SignalChain"/>) adds
/// each beat when detected and asks at each window; training replays a record's detected beats through the same
/// class, adding a beat only once the stream would have known it (<see cref="QrsBeat.DetectedAt"/> ≤ the window's
/// end), so both see exactly the same beats. Fixed-size ring and scratch: nothing is allocated per beat or window.
/// </summary>
public sealed class RhythmContext
{
    private readonly long[] _beats = new long[RhythmFeatures.MaxBeats + 1];
    private readonly double[] _rr = new double[RhythmFeatures.MaxBeats];
    private readonly double[] _scratch = new double[3 * RhythmFeatures.MaxBeats];
    private int _head, _count;

    public RhythmContext(double sampleRate = 250)
    {
        if (!(sampleRate > 0)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        SampleRate = sampleRate;
    }

    /// <summary>Rate of the beat sample indices (the preprocessed stream's, 250 Hz).</summary>
    public double SampleRate { get; }

    /// <summary>Beats held (at most <see cref="RhythmFeatures.MaxBeats"/> + 1).</summary>
    public int Count => _count;

    /// <summary>Adds a beat; the oldest beat makes room when full. A beat not after the last one is ignored (the detector reports in time order).</summary>
    public void Add(long sample)
    {
        if (_count > 0 && sample <= _beats[(_head + _count - 1) % _beats.Length]) return;
        if (_count == _beats.Length) { _head = (_head + 1) % _beats.Length; _count--; }
        _beats[(_head + _count) % _beats.Length] = sample;
        _count++;
    }

    /// <summary>Forgets every beat (the stream restarted).</summary>
    public void Clear() => _head = _count = 0;

    /// <summary>Writes the features of the beats in (end − 60 s, end] into <paramref name="features"/>.</summary>
    public void Compute(long endSample, Span<float> features)
    {
        long from = endSample - (long)Math.Round(RhythmFeatures.ContextSeconds * SampleRate);
        int n = 0;
        long first = -1, previous = -1;
        for (int k = 0; k < _count; k++)
        {
            long b = _beats[(_head + k) % _beats.Length];
            if (b <= from || b > endSample) continue;
            if (previous >= 0 && n < _rr.Length) _rr[n++] = (b - previous) / SampleRate;
            else first = b;
            previous = b;
        }
        double span = previous >= 0 ? (previous - first) / SampleRate : 0;
        RhythmFeatures.Compute(_rr.AsSpan(0, n), span, features, _scratch);
    }

    /// <summary>
    /// Features at each of <paramref name="windowEnds"/> (ascending) from a record's detected
    /// <paramref name="beats"/> (in detection order), as a stream would have computed them: a beat counts at a window
    /// once it was detected (<see cref="QrsBeat.DetectedAt"/> ≤ the end). Row i of <paramref name="features"/> is window i.
    /// </summary>
    public static void ComputeForWindows(IReadOnlyList<QrsBeat> beats, ReadOnlySpan<long> windowEnds, Span<float> features, double sampleRate = 250)
    {
        if (features.Length < windowEnds.Length * RhythmFeatures.Count)
            throw new ArgumentException($"features holds {features.Length}, {windowEnds.Length * RhythmFeatures.Count} needed", nameof(features));
        var context = new RhythmContext(sampleRate);
        int next = 0;
        for (int w = 0; w < windowEnds.Length; w++)
        {
            if (w > 0 && windowEnds[w] < windowEnds[w - 1]) throw new ArgumentException("window ends must ascend", nameof(windowEnds));
            while (next < beats.Count && beats[next].DetectedAt <= windowEnds[w]) context.Add(beats[next++].Sample);
            context.Compute(windowEnds[w], features.Slice(w * RhythmFeatures.Count, RhythmFeatures.Count));
        }
    }
}
