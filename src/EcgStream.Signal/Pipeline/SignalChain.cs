using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;
using EcgStream.Signal.Windowing;

namespace EcgStream.Signal.Pipeline;

/// <summary>
/// One stream's signal path, raw blocks in: quality (raw checks) → <see cref="EcgPreprocessor"/> → per 1 s epoch
/// of the 250 Hz stream: quality (noise) → multi-lead QRS detection → window ring (each window with the
/// <see cref="RhythmFeatures"/> of the beats so far) → rule decisions.
/// Working epoch by epoch, in that order, makes every output independent of how the input was cut into blocks.
/// Quality drops bad leads from the windows' lead mask and from QRS lead choice. Allocation-free in steady state.
/// </summary>
public sealed class SignalChain
{
    private readonly EcgPreprocessor _pre;
    private readonly SignalQualityMonitor _quality;
    private readonly BeatDetector _beats;
    private readonly WindowRing? _ring;
    private readonly RuleRhythmDetector _rules;
    private readonly List<QrsBeat> _newBeats = new(16);
    private readonly RhythmContext _rhythm;
    private readonly float[] _rhythmFeatures = new float[RhythmFeatures.Count];
    private readonly int _epoch;
    private readonly QualityHandler _onQuality;
    private readonly WindowHandler _onWindow;
    private float[] _segment;
    // A raw block longer than a second is taken a second at a time: the quality monitor keeps the raw flags of the last
    // few seconds only, and a long block judged whole left the first seconds' flags behind (a 10 s block lost a flat
    // second that 0.04 s blocks reported)
    private readonly float[] _rawPiece;
    private readonly int _rawPieceSamples;
    private ISignalChainSink? _sink;
    private long _origin = long.MinValue;

    public SignalChain(string streamId, double inputRate, LeadSet leads, SignalChainOptions? options = null)
    {
        Options = options ?? SignalChainOptions.Default;
        StreamId = streamId;
        _pre = new EcgPreprocessor(inputRate, leads, Options.Preprocessing);
        _quality = new SignalQualityMonitor(inputRate, leads, Options.Quality, _pre.OutputRate);
        _beats = new BeatDetector(leads, _pre.OutputRate);
        if (Options.EmitWindows) _ring = new WindowRing(streamId, Options.WindowLength, Options.WindowHop, _pre.OutputRate);
        _rhythm = new RhythmContext(_pre.OutputRate);
        _rules = new RuleRhythmDetector(streamId, _pre.OutputRate, _pre.DelaySeconds, Options.Rules);
        _epoch = (int)_pre.OutputRate;
        _segment = new float[_epoch * leads.Count];
        _rawPieceSamples = Math.Max(1, (int)Math.Round(inputRate));
        _rawPiece = new float[_rawPieceSamples * leads.Count];
        _onQuality = OnQuality;
        _onWindow = OnWindow;
    }

    public string StreamId { get; }
    public SignalChainOptions Options { get; }
    public EcgPreprocessor Preprocessor => _pre;
    public SignalQualityMonitor Quality => _quality;
    public BeatDetector Beats => _beats;
    public RuleRhythmDetector Rules => _rules;
    /// <summary>Output sample n shows input time n / 250 − DelaySeconds.</summary>
    public double DelaySeconds => _pre.DelaySeconds;

    /// <summary>Processes one raw block; every output goes to <paramref name="sink"/> before this returns.</summary>
    public void Process(in SampleBlock raw, ISignalChainSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (raw.Length <= _rawPieceSamples) { ProcessPiece(raw, sink); return; }
        int leads = raw.Leads.Count;
        for (int done = 0; done < raw.Length; done += _rawPieceSamples)
        {
            int n = Math.Min(_rawPieceSamples, raw.Length - done);
            for (int p = 0; p < leads; p++) raw.Plane(p).Slice(done, n).CopyTo(_rawPiece.AsSpan(p * n, n));
            var piece = new SampleBlock(raw.StreamId, raw.StartSample + done, raw.SampleRate, raw.Leads, n, _rawPiece.AsMemory(0, n * leads),
                raw.LeadOff, raw.Sequence, raw.Unreadable);
            ProcessPiece(piece, sink);
        }
    }

    private void ProcessPiece(in SampleBlock raw, ISignalChainSink sink)
    {
        _sink = sink;
        try
        {
            _quality.ProcessRaw(raw);
            var block = _pre.Process(raw);
            if (_origin == long.MinValue) _origin = block.StartSample;
            sink.OnPreprocessed(block);

            int leads = block.Leads.Count, done = 0;
            while (done < block.Length)
            {
                long at = block.StartSample + done;
                int n = (int)Math.Min(block.Length - done, _epoch - (at - _origin) % _epoch);
                for (int p = 0; p < leads; p++) block.Plane(p).Slice(done, n).CopyTo(_segment.AsSpan(p * n, n));
                var seg = new SampleBlock(block.StreamId, at, block.SampleRate, block.Leads, n, _segment.AsMemory(0, n * leads), block.LeadOff, block.Sequence, block.Unreadable);

                _quality.ProcessFiltered(seg, _onQuality);
                _newBeats.Clear();
                _beats.Process(seg, _newBeats);
                foreach (var b in _newBeats)
                {
                    _rules.AddBeat(b, sink);
                    _rhythm.Add(b.Sample);
                    sink.OnBeat(b);
                }
                _ring?.Push(seg, _onWindow);
                _rules.ListeningSince = _beats.ListeningSince;
                _rules.Advance(seg.EndSample, sink, _origin);
                done += n;
            }
        }
        finally
        {
            _sink = null;
        }
    }

    /// <summary>The stream ends here (or is restarted): the rules close their open state alarms (<see cref="RuleRhythmDetector.Close"/>).</summary>
    public void Close(ISignalChainSink sink) => _rules.Close(sink);

    private void OnQuality(in QualityEpoch epoch)
    {
        foreach (var lead in epoch.Present)
            if (!epoch.Usable.Contains(lead)) _ring?.MarkUnusable(lead, epoch.StartSample, epoch.EndSample);
        _beats.SetUsable(epoch.Usable);
        _rules.AddQuality(epoch);
        _sink!.OnQuality(epoch);
    }

    /// <summary>Attaches the rhythm features at the window's end: every beat detected so far, as in training (RhythmContext).</summary>
    private void OnWindow(in EcgWindow window)
    {
        _rhythm.Compute(window.EndSample, _rhythmFeatures);
        _sink!.OnWindow(window.WithRhythm(_rhythmFeatures));
    }
}
