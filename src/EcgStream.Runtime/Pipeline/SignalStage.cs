using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;

namespace EcgStream.Runtime.Pipeline;

/// <summary>
/// One stream's signal path as a pipeline stage: continuity check and gap filling, then the
/// <see cref="SignalChain"/> (preprocessing, quality, QRS, rules, windows). The chain needs
/// contiguous input, so a gap — a block starting later than the previous one ended — is reported
/// and filled by holding each lead's last value with every lead marked <i>unreadable</i>
/// (<see cref="SampleBlock.Unreadable"/>): filters stay settled, windows over the gap lose those
/// leads from their mask, rules do not read it as signal, and no LEAD_OFF is raised (the device
/// never said the electrodes were off). A gap longer than <paramref name="maxFillSeconds"/> is not
/// filled at all: the chain starts afresh at the next block (a Restart output), so no number in a
/// frame header can make the work here proportional to it. Samples that arrive again (a block
/// starting before the previous one ended) are discarded and counted. The stage is created at the
/// first block, whose rate and leads fix the stream's.
/// </summary>
public sealed class SignalStage(SignalChainOptions? options = null, double maxFillSeconds = BedOptions.DefaultMaxGapFillSeconds)
    : IStage<SampleBlock, SignalOutput>, ISignalChainSink
{
    private const double FillBlockSeconds = 1.0;
    private readonly SignalChainOptions _options = options ?? SignalChainOptions.Default;
    private SignalChain? _chain;
    private IObserver<SignalOutput>? _output;
    private long _expected = long.MinValue;
    private float[] _last = [];
    private float[] _fill = [];
    private float[] _trim = [];

    public SignalChain? Chain => _chain;
    public long GapsReported { get; private set; }
    public long SamplesFilled { get; private set; }
    public long SamplesDiscarded { get; private set; }

    public void OnNext(in SampleBlock block, IObserver<SignalOutput> output)
    {
        _output = output;
        if (_chain is null)
        {
            _chain = new SignalChain(block.StreamId, block.SampleRate, block.Leads, _options);
            _last = new float[block.Leads.Count];
            _expected = block.StartSample;
        }
        if (block.Length == 0) return;
        if (block.StartSample > _expected)
        {
            if (block.StartSample - _expected > maxFillSeconds * block.SampleRate) Restart(block);
            else FillGap(block, block.StartSample);
        }
        var input = block;
        if (block.EndSample <= _expected) { SamplesDiscarded += block.Length; return; }
        if (block.StartSample < _expected) input = TrimFront(block, (int)(_expected - block.StartSample));
        _chain.Process(in input, this);
        for (int p = 0; p < input.Leads.Count; p++) _last[p] = input.Plane(p)[input.Length - 1];
        _expected = input.EndSample;
    }

    public void OnCompleted(IObserver<SignalOutput> output)
    {
        _output = output;
        _chain?.Close(this);   // open LEAD_OFF / NOISE / ASYSTOLE close with the stream, as open episodes do
    }

    /// <summary>A gap too long to fill: report it, then start a fresh chain at <paramref name="next"/>.</summary>
    private void Restart(in SampleBlock next)
    {
        GapsReported++;
        _chain!.Close(this);   // the old state's open alarms end before the gap; the new chain raises them again if still true
        _output!.OnNext(SignalOutput.ForGap(new GapReport(next.StreamId, _expected / next.SampleRate, next.StartSample / next.SampleRate, next.StartSample - _expected)));
        _chain = new SignalChain(next.StreamId, next.SampleRate, next.Leads, _options);
        _expected = next.StartSample;
        _output.OnNext(SignalOutput.ForRestart(next.StreamId, next.StartSeconds));
    }

    private void FillGap(in SampleBlock next, long until)
    {
        long missing = until - _expected;
        GapsReported++;
        _output!.OnNext(SignalOutput.ForGap(new GapReport(next.StreamId, _expected / next.SampleRate, until / next.SampleRate, missing)));
        int leads = next.Leads.Count;
        int blockLen = Math.Max(1, (int)(FillBlockSeconds * next.SampleRate));
        if (_fill.Length < leads * blockLen) _fill = new float[leads * blockLen];
        while (_expected < until)
        {
            int n = (int)Math.Min(blockLen, until - _expected);
            for (int p = 0; p < leads; p++) _fill.AsSpan(p * n, n).Fill(_last[p]);
            var filler = new SampleBlock(next.StreamId, _expected, next.SampleRate, next.Leads, n, _fill.AsMemory(0, leads * n), unreadable: next.Leads);
            _chain!.Process(in filler, this);
            _expected += n;
            SamplesFilled += n;
        }
    }

    private SampleBlock TrimFront(in SampleBlock block, int skip)
    {
        SamplesDiscarded += skip;
        int n = block.Length - skip, leads = block.Leads.Count;
        if (_trim.Length < leads * n) _trim = new float[leads * n];
        for (int p = 0; p < leads; p++) block.Plane(p)[skip..].CopyTo(_trim.AsSpan(p * n, n));
        return new SampleBlock(block.StreamId, block.StartSample + skip, block.SampleRate, block.Leads, n, _trim.AsMemory(0, leads * n), block.LeadOff, block.Sequence);
    }

    // ISignalChainSink: forward what the bed pipeline uses.
    void IRuleSink.OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af) => _output!.OnNext(SignalOutput.ForScores(scores, heartRateBpm));
    void IRuleSink.OnAlarm(in RuleAlarm alarm) => _output!.OnNext(SignalOutput.ForAlarm(_chain!.StreamId, alarm));
    void ISignalChainSink.OnWindow(in EcgWindow window) => _output!.OnNext(SignalOutput.ForWindow(window));
    void ISignalChainSink.OnPreprocessed(in SampleBlock block) { }
    void ISignalChainSink.OnQuality(in QualityEpoch epoch) { }
    void ISignalChainSink.OnBeat(in QrsBeat beat) { }
}
