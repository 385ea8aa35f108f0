using EcgStream.Signal.Qrs;
using EcgStream.Signal.Rhythms;
using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Windowing;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Quality;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Synthetic;

namespace EcgStream.Training.Data;

/// <summary>
/// Endless labelled windows from the synthetic generator, through the runtime's own <see cref="SignalChain"/>
/// block by block (quality, preprocessing, QRS detection with its lead gating; then
/// <see cref="WindowStandardiser"/>), so training sees exactly what the runtime would feed the model, rhythm
/// features included. A window's labels are the classes with a
/// truth episode overlapping it, in input time (the preprocessor's delay taken off). One synthetic
/// patient per seed; deterministic.
/// </summary>
public sealed class SyntheticWindows
{
    private const int BlockSamples = 1024;
    private readonly SyntheticEcgStream _stream;
    private readonly SignalChain _chain;
    private readonly ChainSink _sink;
    private readonly float[][] _pending;     // preprocessed 250 Hz samples not yet windowed, per plane
    private int _pendingLength;
    private long _emitted;                   // 250 Hz samples consumed (windowed or skipped) so far
    private long _toDiscard;                 // samples to drop before the next window starts (warm-up, then the hop)
    private readonly float[] _window = new float[WindowSet.WindowValues];
    private readonly int _hop;
    // The rhythm path's input, as the stream computes it: the chain's beats, a beat counted at a window once
    // detected by its end.
    private readonly List<QrsBeat> _detected = [];
    private int _nextBeat;
    private readonly RhythmContext _rhythm = new(ModelContract.SampleRate);
    private readonly float[] _rhythmFeatures = new float[RhythmFeatures.Count];

    /// <param name="hopSeconds">Start-to-start distance of windows (9 s: no overlap).</param>
    /// <param name="warmupSeconds">Output discarded at the start while the causal filters settle.</param>
    public SyntheticWindows(int seed, double sampleRate = 500, LeadSet? leads = null, double hopSeconds = 9, double warmupSeconds = 2, string? nstdbDirectory = null)
    {
        if (!(hopSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(hopSeconds), hopSeconds, "hop must be positive");
        if (!(warmupSeconds >= 0)) throw new ArgumentOutOfRangeException(nameof(warmupSeconds), warmupSeconds, "warm-up must be >= 0");
        Seed = seed;
        Leads = leads ?? LeadSet.All;
        _stream = new SyntheticEcgStream(seed, sampleRate, Leads, nstdbDirectory);
        _chain = new SignalChain(RecordId, sampleRate, Leads,
            SignalChainOptions.Default with { EmitWindows = false, Preprocessing = PreprocessorOptions.Contract });
        _sink = new ChainSink(this);
        _hop = (int)Math.Round(hopSeconds * ModelContract.SampleRate);
        _toDiscard = (long)Math.Round(warmupSeconds * ModelContract.SampleRate);
        // One input block yields at most ⌈1024 · 250 / rate⌉ + 1 output samples.
        int maxOutput = (int)Math.Ceiling(BlockSamples * ModelContract.SampleRate / sampleRate) + 1;
        _pending = new float[Leads.Count][];
        for (int p = 0; p < _pending.Length; p++) _pending[p] = new float[ModelContract.WindowSamples + maxOutput];
    }

    public int Seed { get; }
    public LeadSet Leads { get; }

    /// <summary>A record id for splits: one synthetic patient per seed.</summary>
    public string RecordId => $"synthetic-{Seed}";

    /// <summary>The rhythm features of the window <see cref="Next"/> returned last.</summary>
    public ReadOnlySpan<float> Rhythm => _rhythmFeatures;

    /// <summary>
    /// The next window (12 × 2250 lead-major, standardised) and its class mask. Never ends.
    /// </summary>
    public ReadOnlySpan<float> Next(out int classMask)
    {
        while (true)
        {
            if (_toDiscard > 0 && _pendingLength > 0)
            {
                int drop = (int)Math.Min(_toDiscard, _pendingLength);
                Consume(drop);
                _toDiscard -= drop;
                continue;
            }
            if (_toDiscard == 0 && _pendingLength >= ModelContract.WindowSamples) break;
            _chain.Process(_stream.ReadBlock(RecordId, BlockSamples), _sink);
        }

        Array.Clear(_window);
        for (int p = 0; p < _pending.Length; p++)
            _pending[p].AsSpan(0, ModelContract.WindowSamples).CopyTo(_window.AsSpan((int)Leads[p] * ModelContract.WindowSamples));
        WindowStandardiser.Standardise(_window, ModelContract.WindowSamples, Leads);
        long end = _emitted + ModelContract.WindowSamples;
        while (_nextBeat < _detected.Count && _detected[_nextBeat].DetectedAt <= end) _rhythm.Add(_detected[_nextBeat++].Sample);
        if (_nextBeat > 1024) { _detected.RemoveRange(0, _nextBeat); _nextBeat = 0; }
        _rhythm.Compute(end, _rhythmFeatures);
        double start = (double)_emitted / ModelContract.SampleRate - _chain.DelaySeconds;
        classMask = _stream.ClassMask(start, start + (double)ModelContract.WindowSamples / ModelContract.SampleRate);
        _toDiscard = _hop;
        return _window;
    }

    /// <summary>Takes the chain's preprocessed samples and beats; its rule and quality outputs are not needed here.</summary>
    private sealed class ChainSink(SyntheticWindows owner) : ISignalChainSink
    {
        public void OnPreprocessed(in SampleBlock block)
        {
            for (int p = 0; p < owner._pending.Length; p++) block.Plane(p).CopyTo(owner._pending[p].AsSpan(owner._pendingLength));
            owner._pendingLength += block.Length;
        }
        public void OnBeat(in QrsBeat beat) => owner._detected.Add(beat);
        public void OnQuality(in QualityEpoch epoch) { }
        public void OnWindow(in EcgWindow window) { }
        public void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af) { }
        public void OnAlarm(in RuleAlarm alarm) { }
    }

    private void Consume(int count)
    {
        for (int p = 0; p < _pending.Length; p++)
            _pending[p].AsSpan(count, _pendingLength - count).CopyTo(_pending[p]);
        _pendingLength -= count;
        _emitted += count;
    }

    /// <summary>
    /// <paramref name="count"/> windows from <paramref name="patients"/> synthetic patients (seeds
    /// <paramref name="seed"/>, <paramref name="seed"/>+1, …), taken in turn.
    /// </summary>
    public static WindowSet Generate(int seed, int count, int patients = 4, double sampleRate = 500, LeadSet? leads = null, double hopSeconds = 9)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patients);
        return Take(count, Enumerable.Range(0, patients).Select(p => new SyntheticWindows(seed + p, sampleRate, leads, hopSeconds)).ToArray());
    }

    /// <summary>
    /// Lead sets synthetic training windows come in, mirroring what the runtime is fed: a single
    /// limb lead (handheld and patch recorders), a Holter-like pair, and the 12-lead ECG.
    /// </summary>
    public static readonly LeadSet[] TrainingLeadSets = [LeadSet.Of(Lead.I), LeadSet.Of(Lead.II, Lead.V1), LeadSet.All];

    /// <summary>
    /// <paramref name="count"/> windows from <paramref name="patients"/> synthetic patients, the patients
    /// spread over <see cref="TrainingLeadSets"/> in turn (patient k records lead set k mod 3).
    /// </summary>
    public static WindowSet GenerateMixedLeads(int seed, int count, int patients)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patients);
        return Take(count, Enumerable.Range(0, patients)
            .Select(p => new SyntheticWindows(seed + p, leads: TrainingLeadSets[p % TrainingLeadSets.Length])).ToArray());
    }

    /// <summary><paramref name="count"/> windows taken from the <paramref name="sources"/> in turn.</summary>
    private static WindowSet Take(int count, SyntheticWindows[] sources)
    {
        var set = new WindowSet(count);
        for (int i = 0; i < count; i++)
        {
            var source = sources[i % sources.Length];
            var window = source.Next(out int mask);
            set.Add(window, source.Leads, mask, source.RecordId, WindowSet.AllKnown, source.Rhythm);
        }
        return set;
    }
}
